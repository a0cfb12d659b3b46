module.exports = {
  displayName: 'loop-sim',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
