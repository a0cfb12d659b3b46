module.exports = {
  displayName: 'limits',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
