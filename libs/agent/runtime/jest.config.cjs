module.exports = {
  displayName: 'agent-runtime',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
