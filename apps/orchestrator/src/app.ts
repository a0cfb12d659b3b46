import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
import { loopAppSpec } from '@shoal/store-controller';

/**
 * appSpec describes the orchestrator process to the shared bootstrap: one replica of the
 * orchestrator loop (lease "orchestrator"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec = loopAppSpec({
  app: 'orchestrator',
  summary: 'the control loop that keeps every service\'s tasks matching its spec',
  defaultPorts: { grpc: 4242, http: 9242 },
  createLoop: (deps) => createOrchestratorLoop(deps),
});
