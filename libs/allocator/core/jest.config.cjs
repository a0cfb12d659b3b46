module.exports = {
  displayName: 'allocator-core',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
