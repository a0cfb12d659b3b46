import type { AppSpec } from '@shoal/bootstrap';
import { agentConfig, startAgent } from './agent';

/**
 * appSpec describes the node-agent process to the shared bootstrap: the executor
 * (`--executor docker|process|sim`), the local task store in `--state-dir` (reattach after a
 * restart), and one task manager per task. The dispatcher session and joining through the ca
 * are not wired yet; `--assignments-file` feeds tasks by hand for development. Stopping the
 * app leaves tasks running for the next agent to reattach.
 */
export const appSpec: AppSpec<typeof agentConfig> = {
  app: 'node-agent',
  summary: 'the per-node agent that runs assigned tasks through an executor',
  defaultPorts: { grpc: 4247, http: 9247 },
  config: agentConfig,
  start: async (ctx) => {
    const agent = await startAgent(ctx.config, ctx.logger, ctx.metrics);
    return { stop: () => agent.stop() };
  },
};
