// Every Docker API route the gateway serves.
import type { ControlApi } from '@shoal/gateway-control';
import type { EngineFacts } from './engine-facts';
import { networkRoutes } from './handlers/networks';
import { nodeRoutes } from './handlers/nodes';
import { configRoutes, secretRoutes } from './handlers/secrets-configs';
import { serviceRoutes } from './handlers/services';
import { systemRoutes } from './handlers/system';
import { taskRoutes } from './handlers/tasks';
import type { Route } from './http/route';

/** dockerRoutes are all routes over `control`, the first match wins. */
export function dockerRoutes(control: ControlApi, facts: EngineFacts): Route[] {
  return [
    ...systemRoutes(control, facts), ...serviceRoutes(control), ...taskRoutes(control), ...nodeRoutes(control),
    ...networkRoutes(control), ...secretRoutes(control), ...configRoutes(control),
  ];
}
