import type { AppSpec } from '@shoal/bootstrap';
import { systemClock, systemTimers } from '@shoal/runtime';
import { createSchedulerLoop } from '@shoal/scheduler-loop';
import { holderOf, loopGrpcSecurity, openLoopConnection, storeConfig } from '@shoal/store-controller';

/**
 * appSpec describes the scheduler process to the shared bootstrap: one replica of the
 * scheduler loop (lease "scheduler"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec: AppSpec<typeof storeConfig> = {
  app: 'scheduler',
  summary: 'the control loop that assigns pending tasks to nodes',
  defaultPorts: { grpc: 4243, http: 9243 },
  config: storeConfig,
  grpcSecurity: (ctx) => loopGrpcSecurity(ctx.config, ctx.logger),
  start: (ctx) => {
    const connection = openLoopConnection(ctx.config, 'scheduler', ctx.logger);
    const store = connection.store;
    const loop = createSchedulerLoop({
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
