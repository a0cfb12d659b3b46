// createControlApi: the Control API over the store, assembled from one module per object kind.
import type { ControlApi } from './control-api';
import { clusterMethods } from './cluster';
import type { ControlDeps } from './deps';
import { networkMethods } from './networks';
import { nodeMethods } from './nodes';
import { resourceMethods } from './resources';
import { secretMethods } from './secrets';
import { serviceMethods } from './services';
import { taskMethods } from './tasks';

/**
 * createControlApi returns every shoal.v1.Control method as an async function over the
 * store. Writes go out as Owner `user` (the store client's identity must be `gateway`, or a
 * test identity). Errors are ShoalErrors: INVALID_ARGUMENT (dockerd's texts) for bad specs,
 * NOT_FOUND, NAME_CONFLICT (gRPC ALREADY_EXISTS), SEQUENCE_CONFLICT ("update out of
 * sequence", gRPC FAILED_PRECONDITION) for a stale version, FAILED_PRECONDITION for refused
 * removals, UNIMPLEMENTED for mode changes and renames, and the store's own failures.
 */
export function createControlApi(deps: ControlDeps): ControlApi {
  return {
    ...nodeMethods(deps),
    ...taskMethods(deps),
    ...serviceMethods(deps),
    ...networkMethods(deps),
    ...clusterMethods(deps),
    ...secretMethods(deps),
    ...resourceMethods(deps),
  };
}
