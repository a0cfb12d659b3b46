module.exports = {
  displayName: 'dispatcher-service',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
