module.exports = {
  displayName: 'gateway-spec',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
