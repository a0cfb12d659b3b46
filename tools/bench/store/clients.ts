/** clientFor builds the load client of a target's system (used inside worker processes). */
import { etcdClient } from './etcd-target';
import { shoalClient } from './shoal-target';
import type { BenchClient, TargetInfo } from './target';

export function clientFor(info: TargetInfo): BenchClient {
  return info.system === 'etcd' ? etcdClient(info) : shoalClient(info);
}
