// Every Docker API route the gateway serves.
import type { ControlApi } from '@shoal/gateway-control';
import type { EngineFacts } from './engine-facts';
import { networkRoutes } from './handlers/networks';
import { nodeRoutes } from './handlers/nodes';
import { configRoutes, secretRoutes } from './handlers/secrets-configs';
import { serviceRoutes } from './handlers/services';
import { swarmRoutes, type UnlockKeySource } from './handlers/swarm';
import { systemRoutes } from './handlers/system';
import { taskRoutes } from './handlers/tasks';
import type { Route } from './http/route';
import { DEFAULT_JOIN_ADDR } from './self-node';

/**
 * dockerRoutes are all routes over `control`, the first match wins. `joinAddr` (default
 * {@link DEFAULT_JOIN_ADDR}) is the manager address `docker swarm join-token` prints.
 */
export function dockerRoutes(control: ControlApi, facts: EngineFacts, joinAddr = DEFAULT_JOIN_ADDR,
  unlockKey?: UnlockKeySource): Route[] {
  const self = { hostname: facts.hostname, joinAddr };
  return [
    ...systemRoutes(control, facts, joinAddr), ...swarmRoutes(control, unlockKey), ...serviceRoutes(control), ...taskRoutes(control),
    ...nodeRoutes(control, self),
    ...networkRoutes(control), ...secretRoutes(control), ...configRoutes(control),
  ];
}
