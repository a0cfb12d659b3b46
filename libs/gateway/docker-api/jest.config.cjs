module.exports = {
  displayName: 'docker-api',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
