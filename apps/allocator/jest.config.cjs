module.exports = {
  displayName: 'allocator',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
