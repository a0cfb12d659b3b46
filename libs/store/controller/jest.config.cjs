module.exports = {
  displayName: 'store-controller',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
