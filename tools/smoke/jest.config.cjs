module.exports = {
  displayName: 'app-smoke',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
