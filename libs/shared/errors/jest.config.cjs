module.exports = {
  displayName: 'errors',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
