module.exports = {
  displayName: 'scheduler-loop',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
