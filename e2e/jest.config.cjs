// The e2e suite: the whole local topology from built apps, a real dockerd, the real docker CLI.
// Run with `npm run e2e` (tools/scripts/run-tests.mjs --e2e); `.ci/run` runs it after npm test.
// One worker: the suite drives one topology and one engine, step after step.
module.exports = {
  displayName: 'e2e',
  preset: '../jest.preset.cjs',
  rootDir: __dirname,
  maxWorkers: 1,
  testTimeout: 120_000,
};
