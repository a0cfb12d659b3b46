// Goal: the raft-store's address book follows conf changes and survives snapshots; new raft
// ids are never reused; --force-new-cluster rewrites a survivor's log so that only it
// remains a voter, discarding the uncommitted tail and keeping every committed entry; config
// parsing refuses bad member lists and the test identity without its environment flag.
// Method: pure calls on Membership, forceNewCluster over MemoryPersistence holding a
// bootstrap log plus entries, and checkConfig with explicit env objects.
import { ConfigError } from '@shoal/config';
import {
  ConfChangeType,
  confChangeV1,
  decodeConfChange,
  EntryType,
  type AnyConfChange,
} from '@shoal/raft';
import { bootstrapState, MemoryPersistence, type AppliedConfChange } from '@shoal/raft-node';
import { checkConfig, parseMembers, type RaftStoreConfig } from './config';
import { forceNewCluster, membersAtCommit } from './force-new-cluster';
import { encodeMemberContext, Membership } from './membership';

function applied(index: number, change: AnyConfChange, context: Uint8Array = new Uint8Array(0)):
  AppliedConfChange {
  return { index, change, context, confState: { voters: [], learners: [], votersOutgoing: [],
    learnersNext: [], autoLeave: false } };
}

describe('Membership', () => {
  it('learns members from conf change contexts and forgets removed ones for good', () => {
    const book = new Membership(new Map([[1, 'h:1'], [2, 'h:2']]));
    const record = { raftId: 9, nodeId: 'n9', addr: 'h:9', status: undefined };
    const added = book.apply(applied(5, confChangeV1(ConfChangeType.AddNode, 9),
      encodeMemberContext(record)));
    expect(added).toEqual({ type: 'upsert', member: record });
    expect(book.apply(applied(6, confChangeV1(ConfChangeType.RemoveNode, 2))))
      .toEqual({ type: 'remove', raftId: 2 });
    expect(book.list().map((m) => m.raftId)).toEqual([1, 9]);
    expect(book.removedIds()).toEqual([2]);
    expect(book.nextRaftId([1, 9])).toBe(10);
  });

  it('round-trips the book and the leases through a snapshot section', () => {
    const book = new Membership(new Map([[1, 'h:1'], [3, 'h:3']]));
    book.apply(applied(4, confChangeV1(ConfChangeType.RemoveNode, 3)));
    const bytes = book.encode([]);
    const decoded = Membership.decode(bytes);
    const other = new Membership(new Map([[1, 'old:1'], [3, 'h:3'], [7, 'h:7']]));
    other.restore(decoded.members, decoded.removed);
    expect(other.list().map((m) => [m.raftId, m.addr])).toEqual([[1, 'h:1'], [7, 'h:7']]);
    expect(other.isRemoved(3)).toBe(true);
    expect(() => Membership.decode(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/corrupt/);
  });
});

describe('forceNewCluster', () => {
  it('commits the removal of every other member after the committed log', async () => {
    const persistence = new MemoryPersistence();
    const initial = bootstrapState(2, [1, 2, 3]);
    await persistence.create(initial);
    const tail = { term: 1, index: 4, type: EntryType.Normal, data: new Uint8Array([1]) };
    await persistence.save({ entries: [tail], hardState: { term: 2, vote: 1, commit: 3 },
      mustSync: true });
    const removed = await forceNewCluster(persistence, 2);
    expect(removed).toEqual([1, 3]);
    const state = await persistence.load();
    expect(state?.hardState).toEqual({ term: 2, vote: 1, commit: 5 });
    expect(state?.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
    const rewritten = state?.entries.slice(3).map((e) => decodeConfChange(e.data));
    expect(rewritten?.map((c) => c.kind === 'v1' && [c.type, c.nodeId]))
      .toEqual([[ConfChangeType.RemoveNode, 1], [ConfChangeType.RemoveNode, 3]]);
    expect(state === undefined ? [] : [...membersAtCommit(state)]).toEqual([2]);
  });

  it('refuses a member without durable state', async () => {
    await expect(forceNewCluster(new MemoryPersistence(), 1)).rejects.toThrow(/no durable state/);
  });
});

describe('config', () => {
  const base: RaftStoreConfig = { host: '127.0.0.1', grpcPort: 4240, stateDir: '/tmp/x', nodeId: 1,
    members: ['1=127.0.0.1:4240', '2=127.0.0.1:4241'], join: false, forceNewCluster: false,
    allowTestIdentity: false };

  it('parses id=host:port members and names every bad one', () => {
    expect(parseMembers(['1=a:1', '2=b:2'])).toEqual(new Map([[1, 'a:1'], [2, 'b:2']]));
    expect(() => parseMembers(['x', '1=a:1', '1=b:2'])).toThrow(ConfigError);
  });

  it('refuses the test identity unless the environment flag is set', () => {
    const config = { ...base, allowTestIdentity: true };
    expect(() => checkConfig(config, {})).toThrow(/SHOAL_ALLOW_TEST_IDENTITY=1/);
    expect(checkConfig(config, { SHOAL_ALLOW_TEST_IDENTITY: '1' }).size).toBe(2);
  });

  it('wants a state dir and this member in the founding list', () => {
    expect(() => checkConfig({ ...base, stateDir: undefined }, {})).toThrow(/state-dir/);
    expect(() => checkConfig({ ...base, nodeId: 5 }, {})).toThrow(/node-id 5/);
    expect(checkConfig({ ...base, nodeId: 5, join: true }, {}).size).toBe(2);
  });
});
