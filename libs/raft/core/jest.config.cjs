module.exports = {
  displayName: 'raft',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
