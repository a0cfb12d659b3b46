module.exports = {
  displayName: 'clock',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
