module.exports = {
  displayName: 'dispatcher-core',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
