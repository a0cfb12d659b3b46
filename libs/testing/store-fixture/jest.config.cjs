module.exports = {
  displayName: 'store-fixture',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
