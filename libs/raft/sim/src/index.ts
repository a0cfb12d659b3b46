// Public surface of @shoal/raft-sim: the deterministic raft cluster simulator (runSeed and
// its options), its checkers, and the building blocks tests may want on their own.
export { runSeed, type SeedResult, type SeedFailure, type SeedStats, type LinearizabilityVerdict } from './run-seed';
export { resolveScenario, type Scenario, type SimOptions } from './scenario';
export { Simulator, type Phase } from './simulator';
export { ClusterChecker, Invariant, InvariantViolation, type CheckedNode } from './checkers';
export { Mutation, mutationSetup, type MutationSetup } from './mutations';
export { SimDisk, DiskBehaviour, COVERED, type DiskImage, type DiskRecord, type CrashLoss } from './disk';
export { SimNetwork, NETWORK_HEALED, type NetworkFaults, type Route } from './network';
export { SimNode, ShellBehaviour, CrashPoint, type ShellObserver, type StepHook } from './node';
export { KvStateMachine, encodeCommand, decodeCommand, type KvCommand } from './kv';
export { Trace, TraceKind, describeTraceRecord, type TraceRecord } from './trace';
export { EventQueue } from './event-queue';
export { Workload, type WorkloadOptions, type ClientOperation } from './workload';
export { SIM_LIMITS, type SimLimits } from '@shoal/limits';
