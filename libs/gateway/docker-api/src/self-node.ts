// The node the gateway answers as: the CLI's `self`, the `*` of `node ls`, and the manager
// whose address `docker swarm join-token` prints.
import type { ControlApi } from '@shoal/gateway-control';
import {
  ListNodesRequest, NodeStatus_State as NodeState, RaftMemberStatus_Reachability as Reachability, type Node,
} from '@shoal/proto';

/**
 * DEFAULT_JOIN_ADDR is the join address shown when the gateway is told none: the ca's default
 * gRPC port on this host (architecture.md), which is where a joining node presents its token.
 */
export const DEFAULT_JOIN_ADDR = '127.0.0.1:4246';

/** GatewaySelf is what the gateway knows about itself to pick and show its node. */
export interface GatewaySelf {
  /** The gateway host's name: the node with this hostname is `self`. */
  readonly hostname: string;
  /** host:port a new node joins through, shown as the self node's `ManagerStatus.Addr`. */
  readonly joinAddr: string;
}

function oldestFirst(a: Node, b: Node): number {
  return (a.meta?.createdAt?.getTime() ?? 0) - (b.meta?.createdAt?.getTime() ?? 0) || a.id.localeCompare(b.id);
}

/**
 * selfNodeOf picks the node `docker node inspect self` (and the `*` of `node ls`) means: the
 * gateway has no node of its own, so it is the node on the gateway's host (same hostname),
 * else the first node that joined; READY nodes first in both cases. None without nodes.
 */
export function selfNodeOf(nodes: readonly Node[], hostname: string): Node | undefined {
  const local = nodes.filter((n) => n.description?.hostname === hostname);
  const pool = [...(local.length > 0 ? local : nodes)].sort(oldestFirst);
  return pool.find((n) => n.status?.state === NodeState.READY) ?? pool[0];
}

/** selfNodeId is the ID of the self node among every node of the cluster ('' without nodes). */
export async function selfNodeId(api: ControlApi, self: GatewaySelf): Promise<string> {
  const all = await api.listNodes(ListNodesRequest.fromPartial({}));
  return selfNodeOf(all.nodes, self.hostname)?.id ?? '';
}

/**
 * asSelfNode shows `node` as the manager the CLI talks to: a manager status (reachable, its
 * leadership as stored) whose address is the join address, which the CLI's
 * `docker swarm join-token` prints. Other nodes are returned unchanged.
 */
export function asSelfNode(node: Node, selfId: string, joinAddr: string): Node {
  if (node.id !== selfId) return node;
  const m = node.managerStatus;
  return {
    ...node,
    managerStatus: { raftId: m?.raftId ?? 0, leader: m?.leader ?? false, reachability: Reachability.REACHABLE, addr: joinAddr },
  };
}
