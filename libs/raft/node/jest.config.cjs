module.exports = {
  displayName: 'raft-node',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
