module.exports = {
  displayName: 'ids',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
