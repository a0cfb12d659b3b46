module.exports = {
  displayName: 'gateway-control',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
