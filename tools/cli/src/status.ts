// `shoal status`: the raft-store's members and leader, the nodes, and a services summary.
// Each part is reported on its own, so a down gateway still shows the store and vice versa.
import { isShoalError } from '@shoal/errors';
import { nodeDisplayName } from '@shoal/gateway-spec';
import { NodeSpec_Availability, NodeStatus_State, type Node, type Service, type ServiceStatus } from '@shoal/proto';
import { CliError, EXIT_REFUSED } from './cli-error';
import { openLink, type ClusterLink } from './link';
import type { LinkOptions } from './link-options';
import { memberLines } from './store-members';
import type { LinkIo } from './with-link';

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

function nodeRow(node: Node): string[] {
  const state = NodeStatus_State[node.status?.state ?? NodeStatus_State.UNKNOWN] ?? 'UNKNOWN';
  const availability = NodeSpec_Availability[node.spec?.availability ?? 0] ?? 'ACTIVE';
  return [node.id.slice(0, 12), nodeDisplayName(node), state.toLowerCase(), availability.toLowerCase()];
}

function serviceRow(service: Service, status: ServiceStatus | undefined): string[] {
  const mode = service.spec?.mode?.$case ?? 'replicated';
  const counts = status === undefined ? '?' : `${status.runningTasks}/${status.desiredTasks}`;
  const runtime = service.spec?.task?.runtime;
  const image = runtime?.$case === 'container' ? runtime.container.image : '';
  return [service.id.slice(0, 12), service.spec?.annotations?.name ?? '', mode, counts, image];
}

function reason(err: unknown): string {
  if (isShoalError(err)) return err.message;
  if (err instanceof CliError) return err.message;
  throw err;
}

async function storePart(link: ClusterLink, options: LinkOptions): Promise<string[]> {
  try {
    const members = await (await link.store()).listMembers();
    const leader = members.members.find((m) => m.raftId === members.leader);
    return [`store: ${members.members.length} members, leader ${leader === undefined ? 'unknown' : `${leader.raftId} (${leader.addr})`}`,
      ...memberLines(members).map((l) => `  ${l}`)];
  } catch (err) {
    return [`store: unreachable at ${options.storeEndpoints.join(',')}: ${reason(err)}`];
  }
}

async function controlPart(link: ClusterLink, options: LinkOptions): Promise<string[]> {
  try {
    const nodes = (await link.control.listNodes({ filters: undefined })).nodes;
    const services = (await link.control.listServices({ filters: undefined })).services;
    const statuses = (await link.control.listServiceStatuses({ services: services.map((s) => s.id) })).statuses;
    const ready = nodes.filter((n) => n.status?.state === NodeStatus_State.READY).length;
    return [
      `nodes: ${nodes.length} (${ready} ready)`,
      ...(nodes.length === 0 ? [] : table(['ID', 'NAME', 'STATUS', 'AVAILABILITY'], nodes.map(nodeRow))),
      `services: ${services.length}`,
      ...(services.length === 0 ? [] : table(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE'],
        services.map((s) => serviceRow(s, statuses.find((st) => st.serviceId === s.id))))),
    ];
  } catch (err) {
    return [`gateway: unreachable at ${options.gateway}: ${reason(err)}`];
  }
}

/** runStatus implements `shoal status`; fails (exit 1) only when neither part answers. */
export async function runStatus(options: LinkOptions, io: LinkIo): Promise<string[]> {
  const link = await (io.link ?? openLink)(options);
  try {
    const store = await storePart(link, options);
    const control = await controlPart(link, options);
    const lines = [...store, ...control];
    for (const line of lines) io.print(line);
    if (store[0]?.startsWith('store: unreachable') === true && control[0]?.startsWith('gateway: unreachable') === true) {
      throw new CliError('the cluster does not answer', EXIT_REFUSED);
    }
    return lines;
  } finally {
    link.close();
  }
}
