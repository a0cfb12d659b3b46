import type { AppSpec } from '@shoal/bootstrap';
import { agentConfig, startAgent } from './agent';

/**
 * appSpec describes the node-agent process to the shared bootstrap: on its first start the
 * node joins through the ca (`--join-token`, `--ca-endpoints`; certificate into
 * `--state-dir`), then keeps a session with one of `--dispatcher-endpoints` (failover and
 * backoff), runs its assigned tasks through the executor (`--executor docker|process|sim`,
 * default docker when the engine answers) and reports their status. The local task store in
 * `--state-dir` makes a restart reattach. Stopping the app leaves tasks running for the next
 * agent to reattach.
 */
export const appSpec: AppSpec<typeof agentConfig> = {
  app: 'node-agent',
  summary: 'the per-node agent: joins, keeps a dispatcher session, runs assigned tasks through an executor',
  defaultPorts: { grpc: 4247, http: 9247 },
  config: agentConfig,
  start: async (ctx) => {
    const agent = await startAgent(ctx.config, ctx.logger, ctx.metrics);
    return { stop: () => agent.stop() };
  },
};
