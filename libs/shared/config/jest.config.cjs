module.exports = {
  displayName: 'config',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
