module.exports = {
  displayName: 'shoal-cli',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
