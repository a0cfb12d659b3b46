module.exports = {
  displayName: 'pki',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
