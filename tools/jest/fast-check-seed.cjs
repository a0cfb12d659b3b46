// Property tests run with a fixed seed in CI (replayable; a failure prints the seed and path).
// FC_SEED=<n> replays or varies it; FC_SEED=random draws a fresh one per run (for exploration).
const fc = require('fast-check');

const raw = process.env.FC_SEED ?? '424242';
if (raw !== 'random') {
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got "${raw}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
