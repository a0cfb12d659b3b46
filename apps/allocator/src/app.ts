import { createAllocatorLoop } from '@shoal/allocator-loop';
import { loopAppSpec } from '@shoal/store-controller';

/**
 * appSpec describes the allocator process to the shared bootstrap: one replica of the
 * allocator loop (lease "allocator"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec = loopAppSpec({
  app: 'allocator',
  summary: 'the control loop that allocates published ports and moves NEW tasks to PENDING',
  defaultPorts: { grpc: 4244, http: 9244 },
  createLoop: (deps) => createAllocatorLoop(deps),
});
