// Nodes: get, list, update the spec (availability, role, labels), remove (SwarmKit's rules).
import { ShoalError } from '@shoal/errors';
import { nodeMatches, validateNodeSpec } from '@shoal/gateway-spec';
import { Node, NodeRole, NodeStatus_State, type UpdateNodeRequest } from '@shoal/proto';
import type { ControlApi } from './control-api';
import { checkVersion, requireVersion, WRITER, type ControlDeps } from './deps';
import { commitUpdate } from './commit-update';
import { resolveObject } from './resolve';

type NodeMethods = Pick<ControlApi, 'getNode' | 'listNodes' | 'updateNode' | 'removeNode'>;

async function updateNode(deps: ControlDeps, request: UpdateNodeRequest): Promise<Node> {
  const expected = requireVersion('node', request.nodeVersion);
  validateNodeSpec(request.spec);
  const current = await resolveObject(deps, 'node', request.nodeId);
  checkVersion(current, expected);
  const demoting = current.spec?.desiredRole === NodeRole.MANAGER && request.spec.desiredRole === NodeRole.WORKER;
  if (demoting) {
    const managers = (await deps.store.find('node')).objects
      .filter((n) => n.id !== current.id && n.spec?.desiredRole === NodeRole.MANAGER);
    if (managers.length === 0) {
      throw ShoalError.failedPrecondition('attempting to demote the last manager of the swarm');
    }
  }
  return commitUpdate(deps, 'node', current, { ...current, spec: request.spec });
}

async function removeNode(deps: ControlDeps, nodeId: string, force: boolean): Promise<void> {
  const node = await resolveObject(deps, 'node', nodeId);
  if (node.managerStatus !== undefined) {
    throw ShoalError.failedPrecondition(`node ${node.id} is a cluster manager and is a member of the raft ` +
      'cluster. It must be demoted to worker before removal');
  }
  if (!force && node.status?.state === NodeStatus_State.READY) {
    throw ShoalError.failedPrecondition(`node ${node.id} is not down and can't be removed`);
  }
  await deps.store.transaction([{ action: 'delete', kind: 'node', object: Node.fromPartial({ id: node.id }) }], { writer: WRITER });
}

/** nodeMethods implements the node part of the Control API. */
export function nodeMethods(deps: ControlDeps): NodeMethods {
  return {
    getNode: async (request) => ({ node: await resolveObject(deps, 'node', request.nodeId) }),
    listNodes: async (request) => ({
      nodes: (await deps.store.find('node')).objects.filter((n) => nodeMatches(n, request.filters)),
    }),
    updateNode: async (request) => ({ node: await updateNode(deps, request) }),
    removeNode: async (request) => {
      await removeNode(deps, request.nodeId, request.force);
      return {};
    },
  };
}
