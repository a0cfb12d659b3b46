import type { AppSpec } from '@shoal/bootstrap';
import { systemClock, systemTimers } from '@shoal/runtime';
import { createSchedulerLoop } from '@shoal/scheduler-loop';
import { connectLoopStore, holderOf, storeConfig } from '@shoal/store-controller';

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
  start: (ctx) => {
    const store = connectLoopStore(ctx.config, 'scheduler', ctx.logger);
    const loop = createSchedulerLoop({
      store, holder: holderOf(ctx.config), clock: systemClock, timers: systemTimers,
      logger: ctx.logger, metrics: ctx.metrics, leaseTtlMs: ctx.config.leaseTtlMs,
    });
    loop.start();
    return Promise.resolve({
      stop: async () => {
        await loop.stop();
        store.close();
      },
    });
  },
};
