// /nodes: list, inspect, update (availability, role, labels), remove.
import type { ControlApi } from '@shoal/gateway-control';
import { ShoalError } from '@shoal/errors';
import {
  ListNodesRequest, NodeRole, NodeSpec_Availability as Availability, NodeSpec_Membership as Membership,
  type Node, type NodeSpec,
} from '@shoal/proto';
import { AVAILABILITY, MEMBERSHIP, NODE_ROLE } from '../convert/enums';
import { fieldsOf, str, strMap } from '../convert/json';
import { nodeJson } from '../convert/objects-out';
import { checkFilterKeys, filterValues, labelFilter, parseFilters } from '../filters';
import { empty, ID, json, route, type DockerRequest, type Route } from '../http/route';
import { nodeLookup } from '../lookups';
import { resolveRef } from '../resolve';
import { asSelfNode, selfNodeId, type GatewaySelf } from '../self-node';
import { versionParam } from './services';

const NODE_FILTERS = ['id', 'label', 'membership', 'name', 'node.label', 'role'];

function wordsOf<E extends number>(values: string[], read: (word: string) => E, what: string): E[] {
  return values.map((v) => {
    try {
      return read(v);
    } catch {
      throw ShoalError.invalidArgument(`Invalid ${what} filter: '${v}'`);
    }
  });
}

async function list(api: ControlApi, self: GatewaySelf, req: DockerRequest) {
  const args = parseFilters(req.query.get('filters'));
  checkFilterKeys(args, NODE_FILTERS);
  const request = ListNodesRequest.fromPartial({
    filters: {
      namePrefixes: filterValues(args, 'name'), idPrefixes: filterValues(args, 'id'), labels: labelFilter(args),
      nodeLabels: labelFilter(args, 'node.label'),
      roles: wordsOf(filterValues(args, 'role'), (w) => NODE_ROLE.fromDocker(w, 'role', NodeRole.UNRECOGNIZED), 'role'),
      memberships: wordsOf(filterValues(args, 'membership'),
        (w) => MEMBERSHIP.fromDocker(w, 'membership', Membership.UNRECOGNIZED), 'membership'),
    },
  });
  const [listed, selfId] = await Promise.all([api.listNodes(request), selfNodeId(api, self)]);
  return json(listed.nodes.map((n) => nodeJson(asSelfNode(n, selfId, self.joinAddr))));
}

async function inspect(api: ControlApi, self: GatewaySelf, ref: string) {
  const [node, selfId] = await Promise.all([resolveRef(nodeLookup(api), ref), selfNodeId(api, self)]);
  return json(nodeJson(asSelfNode(node, selfId, self.joinAddr)));
}

/** nodeSpecFromDocker reads a Docker NodeSpec; membership is kept from the current node. */
export function nodeSpecFromDocker(body: unknown, current: Node): NodeSpec {
  const f = fieldsOf(body, 'NodeSpec');
  if (f === undefined) throw ShoalError.invalidArgument('the request body must be a JSON NodeSpec');
  return {
    annotations: { name: str(f, 'Name'), labels: strMap(f, 'Labels') },
    desiredRole: NODE_ROLE.fromDocker(str(f, 'Role'), 'NodeSpec.Role', current.spec?.desiredRole ?? NodeRole.WORKER),
    membership: current.spec?.membership ?? Membership.ACCEPTED,
    availability: AVAILABILITY.fromDocker(str(f, 'Availability'), 'NodeSpec.Availability', Availability.ACTIVE),
  };
}

/** nodeRoutes are the /nodes routes over `api`; the self node is shown as the manager at the join address. */
export function nodeRoutes(api: ControlApi, self: GatewaySelf): Route[] {
  return [
    route('GET', '/nodes', (req) => list(api, self, req)),
    route('GET', `/nodes/${ID}`, (req) => inspect(api, self, req.params[0] ?? '')),
    route('POST', `/nodes/${ID}/update`, async (req) => {
      const version = versionParam(req, 'node');
      const node = await resolveRef(nodeLookup(api), req.params[0] ?? '');
      await api.updateNode({ nodeId: node.id, nodeVersion: { index: version }, spec: nodeSpecFromDocker(req.body, node) });
      return empty(200);
    }),
    route('DELETE', `/nodes/${ID}`, async (req) => {
      const node = await resolveRef(nodeLookup(api), req.params[0] ?? '');
      await api.removeNode({ nodeId: node.id, force: ['1', 'true'].includes(req.query.get('force') ?? '') });
      return empty(200);
    }),
  ];
}
