module.exports = {
  displayName: 'raft-store',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
