module.exports = {
  displayName: 'tls',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
