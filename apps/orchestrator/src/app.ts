import type { AppSpec } from '@shoal/bootstrap';
import { systemClock, systemTimers } from '@shoal/runtime';
import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
import { holderOf, loopGrpcSecurity, openLoopConnection, storeConfig } from '@shoal/store-controller';

/**
 * appSpec describes the orchestrator process to the shared bootstrap: one replica of the
 * orchestrator loop (lease "orchestrator"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec: AppSpec<typeof storeConfig> = {
  app: 'orchestrator',
  summary: 'the control loop that keeps every service\'s tasks matching its spec',
  defaultPorts: { grpc: 4242, http: 9242 },
  config: storeConfig,
  grpcSecurity: (ctx) => loopGrpcSecurity(ctx.config, ctx.logger),
  start: (ctx) => {
    const connection = openLoopConnection(ctx.config, 'orchestrator', ctx.logger);
    const store = connection.store;
    const loop = createOrchestratorLoop({
      store, holder: holderOf(ctx.config), clock: systemClock, timers: systemTimers,
      logger: ctx.logger, metrics: ctx.metrics, leaseTtlMs: ctx.config.leaseTtlMs,
    });
    loop.start();
    return Promise.resolve({
      stop: async () => {
        await loop.stop();
        await connection.close();
      },
    });
  },
};
