module.exports = {
  displayName: 'agent-core',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
