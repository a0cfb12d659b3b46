module.exports = {
  displayName: 'orchestrator-core',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
