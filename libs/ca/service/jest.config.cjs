module.exports = {
  displayName: 'ca-service',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
