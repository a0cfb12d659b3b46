module.exports = {
  displayName: 'store-server',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
