module.exports = {
  displayName: 'raft-sim',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
