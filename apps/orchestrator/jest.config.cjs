module.exports = {
  displayName: 'orchestrator',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
