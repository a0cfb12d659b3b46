module.exports = {
  displayName: 'proto-grpc',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
