// Public surface of @shoal/loop-sim: the control-loop simulation (three real loops against an
// in-process store on a ManualClock, with simulated nodes, agents and faults).
export { Checker, isAvailable, slotKey, type Violation } from './checker';
export { InProcessClient, InProcessStore } from './in-process-store';
export { runSeed, type SeedResult, type SimOptions } from './run-seed';
export { flush, simId, World, type LoopKind, type WorldOptions } from './world';
