/**
 * The Shoal target: three raft-store processes on loopback, driven through
 * `@shoal/store-client`. NB: the raft-store app does not serve its Store API yet; until it
 * does, starting this target fails with a clear message and the bench reports etcd alone.
 */
import type { BenchClient, BenchTarget, TargetInfo } from './target';

/** startShoal starts three raft-store members (not available yet: throws). */
export async function startShoal(): Promise<BenchTarget> {
  throw new Error('the raft-store does not serve its Store API yet (issue "raft-store")');
}

/** shoalClient is the load workers' client for Shoal (not available yet: throws). */
export function shoalClient(_info: TargetInfo): BenchClient {
  throw new Error('the raft-store does not serve its Store API yet (issue "raft-store")');
}
