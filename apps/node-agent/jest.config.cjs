module.exports = {
  displayName: 'node-agent',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
