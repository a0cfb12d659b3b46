import type { AppSpec } from '@shoal/bootstrap';
import { systemClock, systemTimers } from '@shoal/runtime';
import { createAllocatorLoop } from '@shoal/allocator-loop';
import { holderOf, loopGrpcSecurity, openLoopConnection, storeConfig } from '@shoal/store-controller';

/**
 * appSpec describes the allocator process to the shared bootstrap: one replica of the
 * allocator loop (lease "allocator"; only the holder acts) over the raft-store. Stopping the
 * app resigns the lease, so a standby takes over at its next campaign.
 */
export const appSpec: AppSpec<typeof storeConfig> = {
  app: 'allocator',
  summary: 'the control loop that allocates published ports and moves NEW tasks to PENDING',
  defaultPorts: { grpc: 4244, http: 9244 },
  config: storeConfig,
  grpcSecurity: (ctx) => loopGrpcSecurity(ctx.config, ctx.logger),
  start: (ctx) => {
    const connection = openLoopConnection(ctx.config, 'allocator', ctx.logger);
    const store = connection.store;
    const loop = createAllocatorLoop({
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
