// The process around one control-loop replica: the same for the orchestrator, scheduler and
// allocator apps (store connection, mTLS, lease holder, stop = resign, then disconnect).
import type { AppName, AppSpec } from '@shoal/bootstrap';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import type { IdentityRole } from '@shoal/store-client';
import { systemClock, systemTimers } from '@shoal/runtime';
import type { ControlLoop, Reconciler } from './control-loop';
import type { LoopReplicaOptions } from './loop-replica';
import { holderOf, loopGrpcSecurity, openLoopConnection, storeConfig } from './store-connection';

/** LoopProcessDeps are what a loop process hands its replica: store, holder, clock, timers, logs. */
export type LoopProcessDeps = Omit<LoopReplicaOptions<Reconciler>, 'onTerm' | 'batching'> & {
  readonly logger: Logger;
  readonly metrics: Metrics;
};

/** LoopAppOptions describe one loop app: its name (also lease, writer and role), ports and loop. */
export interface LoopAppOptions {
  readonly app: AppName & IdentityRole;
  /** One line for `--help`. */
  readonly summary: string;
  readonly defaultPorts: { grpc: number; http: number };
  /** createLoop builds the replica from the process's store, clock, timers, logger and metrics. */
  readonly createLoop: (deps: LoopProcessDeps) => ControlLoop;
}

/**
 * loopAppSpec describes a control-loop process to the shared bootstrap: one replica of the
 * loop (only the lease holder acts) over the raft-store, mTLS when TLS files are given.
 * Stopping the app resigns the lease, so a standby takes over at its next campaign.
 */
export function loopAppSpec(options: LoopAppOptions): AppSpec<typeof storeConfig> {
  return {
    app: options.app,
    summary: options.summary,
    defaultPorts: options.defaultPorts,
    config: storeConfig,
    grpcSecurity: (ctx) => loopGrpcSecurity(ctx.config, ctx.logger),
    start: (ctx) => {
      const connection = openLoopConnection(ctx.config, options.app, ctx.logger);
      const loop = options.createLoop({
        store: connection.store, holder: holderOf(ctx.config), clock: systemClock, timers: systemTimers,
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
}
