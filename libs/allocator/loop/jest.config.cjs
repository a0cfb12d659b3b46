module.exports = {
  displayName: 'allocator-loop',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
