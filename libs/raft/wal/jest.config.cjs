module.exports = {
  displayName: 'raft-wal',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
