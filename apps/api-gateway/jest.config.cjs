module.exports = {
  displayName: 'api-gateway',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
