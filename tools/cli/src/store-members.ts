// `shoal store members list|add|remove`: the raft group through the Store Members API.
import { RaftMemberStatus_Reachability, type ListMembersResponse } from '@shoal/proto';
import type { StoreClient } from '@shoal/store-client';
import { openLink } from './link';
import type { LinkOptions, MemberAddOptions, MemberRemoveOptions } from './link-options';
import { asCliError, type LinkIo } from './with-link';

async function withStore<T>(io: LinkIo, options: LinkOptions, body: (store: StoreClient) => Promise<T>): Promise<T> {
  const link = await (io.link ?? openLink)(options);
  try {
    return await body(await link.store());
  } catch (err) {
    throw asCliError(err, `the raft-store at ${options.storeEndpoints.join(',')}`);
  } finally {
    link.close();
  }
}

/** memberLines renders the raft group as a table. */
export function memberLines(response: ListMembersResponse): string[] {
  const rows = response.members.map((m) => {
    const reach = m.status?.reachability === RaftMemberStatus_Reachability.REACHABLE ? 'reachable'
      : m.status?.reachability === RaftMemberStatus_Reachability.UNREACHABLE ? 'unreachable' : '';
    const leader = m.raftId === response.leader ? 'leader' : '';
    return [String(m.raftId), m.nodeId, m.addr, [leader, reach].filter((s) => s !== '').join(', ')];
  });
  const head = ['RAFT ID', 'NODE', 'ADDRESS', 'STATUS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const removed = response.removedMembers.length === 0 ? [] : [`removed raft IDs: ${response.removedMembers.join(', ')}`];
  return [line(head), ...rows.map(line), ...removed];
}

/** runMembersList implements `shoal store members list`. */
export function runMembersList(options: LinkOptions, io: LinkIo): Promise<ListMembersResponse> {
  return withStore(io, options, async (store) => {
    const response = await store.listMembers();
    for (const line of memberLines(response)) io.print(line);
    return response;
  });
}

/** runMembersAdd implements `shoal store members add`. */
export function runMembersAdd(options: MemberAddOptions, io: LinkIo): Promise<number> {
  return withStore(io, options, async (store) => {
    const added = await store.addMember({ nodeId: options.nodeId, addr: options.addr, learner: options.learner });
    io.print(`added ${options.nodeId} at ${options.addr} as raft ID ${added.raftId}` +
      (options.learner ? ' (learner)' : ''));
    return added.raftId;
  });
}

/** runMembersRemove implements `shoal store members remove`. */
export function runMembersRemove(options: MemberRemoveOptions, io: LinkIo): Promise<void> {
  return withStore(io, options, async (store) => {
    await store.removeMember(options.raftId);
    io.print(`removed raft ID ${options.raftId}`);
  });
}
