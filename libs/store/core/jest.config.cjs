module.exports = {
  displayName: 'store',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
