module.exports = {
  displayName: 'linearizability',
  preset: '../../../jest.preset.cjs',
  rootDir: __dirname,
};
