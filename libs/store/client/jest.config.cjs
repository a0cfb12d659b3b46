module.exports = {
  displayName: 'store-client',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
