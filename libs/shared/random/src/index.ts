// Public surface of @shoal/random: the injected Random port and a seeded, deterministic
// implementation. Ambient (crypto) randomness lives in @shoal/runtime.
export { Uint32Random, type Random } from './random';
export { SeededRandom } from './seeded-random';
