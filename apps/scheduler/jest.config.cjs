module.exports = {
  displayName: 'scheduler',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
