// Public surface of @shoal/limits: every named limit in Shoal, one file per area, with the
// relationships between them asserted when this module loads.
import { assert } from '@shoal/assert';
import { RAFT_LIMITS } from './raft';

export { RAFT_LIMITS, type RaftLimits } from './raft';

assert(RAFT_LIMITS.heartbeatTicks < RAFT_LIMITS.electionTicks, 'raft heartbeat < election timeout');
assert(RAFT_LIMITS.maxInflightMsgs > 0, 'raft inflight window is positive');
