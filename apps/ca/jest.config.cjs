module.exports = {
  displayName: 'ca',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
