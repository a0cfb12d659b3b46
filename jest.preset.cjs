// Shared jest settings for every project. ts-jest transpiles only (isolatedModules);
// type checking is its own step (`npm run typecheck`), so tests start fast.
module.exports = {
  testEnvironment: 'node',
  // Integration tests start processes and servers; a loaded 2-core machine needs headroom.
  testTimeout: 60_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|sim.spec).ts'],
  moduleNameMapper: require('./tools/jest/path-mapper.cjs'),
  setupFiles: [require.resolve('./tools/jest/fast-check-seed.cjs')],
};
