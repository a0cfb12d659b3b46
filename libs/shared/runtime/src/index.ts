// Public surface of @shoal/runtime: the real implementations of the core's injected ports
// (clock, timers, randomness, IDs) and process signal handling. Apps and adapters only.
export { cryptoRandom, newRandomId } from './crypto-random';
export {
  onShutdownSignals,
  type ShutdownOptions,
  type ShutdownSignal,
} from './shutdown-signals';
export { systemClock, systemTimers } from './system-clock';
