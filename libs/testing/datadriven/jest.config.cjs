module.exports = {
  displayName: 'datadriven',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
