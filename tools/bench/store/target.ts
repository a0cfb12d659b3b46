/**
 * A benchmark target is a three-member replicated store started on loopback (etcd or Shoal's
 * raft-store), plus a client the load workers use. Both systems run the same workload through
 * this interface, so their figures are comparable in one run.
 */
export interface BenchClient {
  /** put writes one key; rejects on error or when the call's deadline passes. */
  put(key: string, value: Buffer, deadlineMs: number): Promise<void>;
  /** get reads one key linearizably. */
  get(key: string, deadlineMs: number): Promise<void>;
  /** watch delivers every later write under `prefix`; the returned function cancels it. */
  watch(prefix: string, onEvent: (key: string, value: Buffer) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** TargetInfo is what a worker process needs to build its own client. */
export interface TargetInfo {
  system: 'etcd' | 'shoal';
  endpoints: string[];
}

/** BenchTarget is a running three-member cluster. */
export interface BenchTarget {
  info: TargetInfo;
  /** pids of the members, for CPU accounting. */
  memberPids(): number[];
  /** killLeader sends SIGKILL to the current leader and returns its member index. */
  killLeader(): Promise<number>;
  /** restartMember brings a killed member back with its data. */
  restartMember(index: number): Promise<void>;
  stop(): Promise<void>;
}
