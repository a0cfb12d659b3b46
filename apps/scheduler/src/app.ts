import { createSchedulerLoop } from '@shoal/scheduler-loop';
import { loopAppSpec } from '@shoal/store-controller';

/**
 * appSpec describes the scheduler process to the shared bootstrap: one replica of the
 * scheduler loop (lease "scheduler"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec = loopAppSpec({
  app: 'scheduler',
  summary: 'the control loop that assigns pending tasks to nodes',
  defaultPorts: { grpc: 4243, http: 9243 },
  createLoop: (deps) => createSchedulerLoop(deps),
});
