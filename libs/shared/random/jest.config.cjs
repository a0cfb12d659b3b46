module.exports = {
  displayName: 'random',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
