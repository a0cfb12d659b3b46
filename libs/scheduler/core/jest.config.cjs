module.exports = {
  displayName: 'scheduler-core',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
