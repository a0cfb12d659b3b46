module.exports = {
  displayName: 'assert',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
