module.exports = {
  displayName: 'orchestrator-loop',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
