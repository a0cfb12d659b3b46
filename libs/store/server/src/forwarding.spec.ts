// Goal: a follower forwards writes (transactions and lease operations) to the leader keeping
// the caller's identity, which only store members may vouch for; without a forwarder it
// answers NOT_LEADER with the leader's address and the client redirects and succeeds; an
// unreachable leader fails UNAVAILABLE marked not-sent; Members delegates to its port.
// Method: two servers over one state machine (the follower's leader() points at the
// leader), real gRPC on 127.0.0.1:0, clients with test identities.
import { credentials, Metadata } from '@grpc/grpc-js';
import { isShoalError, type ShoalError } from '@shoal/errors';
import { fromGrpcError } from '@shoal/grpc';
import { TaskState, type ListMembersResponse } from '@shoal/proto';
import { StoreClient as StoreStub } from '@shoal/proto-grpc';
import {
  callUnary,
  connectStore,
  FORWARDED_ROLE_HEADER,
  NOT_SENT_DETAIL,
  TEST_IDENTITY_HEADER,
} from '@shoal/store-client';
import { createLeaderForwarder } from './forwarder';
import type { MembersPort } from './ports';
import { id, service, startHarness, task, type Harness } from './testdata/harness';

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('Forwarding writes to the leader', () => {
  let leader: Harness;
  const harnesses: Harness[] = [];
  beforeEach(async () => {
    leader = await startHarness();
    harnesses.push(leader);
  });
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.stop();
  });

  async function follower(forward: boolean, leaderAddress = leader.address): Promise<Harness> {
    const h = await startHarness({
      machine: leader.machine,
      leader: () => ({ isLeader: false, leaderAddress }),
      forwarder: forward ? createLeaderForwarder({ testIdentity: true }) : undefined,
    });
    harnesses.push(h);
    return h;
  }

  it('forwards transactions and lease operations, keeping the caller identity', async () => {
    const f = await follower(true);
    const orchestrator = f.client('orchestrator');
    const committed = await orchestrator.transaction(
      [{ action: 'create', kind: 'task', object: task(id(1), id(9), 1) }], { writer: 'orchestrator' });
    expect(committed.version).toBe(1);
    const scheduler = f.client('scheduler');
    const denied = await failure(scheduler.update('task', id(1),
      (t) => ({ ...t, desiredState: TaskState.SHUTDOWN }), { writer: 'scheduler' }));
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect(denied.details?.['field']).toBe('desired_state');
    const mismatch = await failure(scheduler.transaction(
      [{ action: 'create', kind: 'task', object: task(id(2), id(9), 2) }], { writer: 'orchestrator' }));
    expect(mismatch.details?.['field']).toBe('writer');
    const lease = await scheduler.campaign({ name: 'scheduler', candidate: 's1', ttlMs: 1000 });
    expect(lease.elected).toBe(true);
    expect(leader.machine.leases.get('scheduler')?.holder).toBe('s1');
  });

  it('names the leader on a forwarded write, and the client then writes to it directly',
    async () => {
      const f = await follower(true);
      const orchestrator = connectStore({ endpoints: [f.address], identityForTests: 'orchestrator' });
      try {
        await orchestrator.transaction(
          [{ action: 'create', kind: 'task', object: task(id(1), id(9), 1) }], { writer: 'orchestrator' });
        // With the follower gone, only a client that followed the hint still writes.
        await f.stop();
        const committed = await orchestrator.transaction(
          [{ action: 'create', kind: 'task', object: task(id(2), id(9), 2) }],
          { writer: 'orchestrator', deadlineMs: 2_000 });
        expect(committed.version).toBe(2);
      } finally {
        orchestrator.close();
      }
    });

  it('trusts forwarded identities only from store members', async () => {
    const stub = new StoreStub(leader.address, credentials.createInsecure());
    const md = new Metadata();
    md.set(TEST_IDENTITY_HEADER, 'orchestrator');
    md.set(FORWARDED_ROLE_HEADER, 'gateway');
    const request = { changes: [], writer: 2 };
    const err = await callUnary(stub.transaction.bind(stub), request, md, Date.now() + 2_000)
      .catch((e: unknown) => fromGrpcError(e));
    expect((err as ShoalError).code).toBe('PERMISSION_DENIED');
    expect((err as ShoalError).message).toContain('only store members may forward');
    stub.close();
  });

  it('answers NOT_LEADER with the leader address without a forwarder; the client redirects', async () => {
    const f = await follower(false);
    const user = f.client('gateway');
    const committed = await user.transaction(
      [{ action: 'create', kind: 'service', object: service(id(1), 'web') }], { writer: 'user' });
    expect(committed.version).toBe(1);
    const stub = new StoreStub(f.address, credentials.createInsecure());
    const md = new Metadata();
    md.set(TEST_IDENTITY_HEADER, 'gateway');
    const err = await callUnary(stub.transaction.bind(stub), { changes: [], writer: 2 }, md,
      Date.now() + 2_000).catch((e: unknown) => fromGrpcError(e));
    expect((err as ShoalError).code).toBe('NOT_LEADER');
    expect((err as ShoalError).details?.['leader']).toBe(leader.address);
    stub.close();
  });

  it('fails UNAVAILABLE marked not-sent when the leader is unreachable', async () => {
    const f = await follower(true, '127.0.0.1:1');
    const user = f.client('gateway');
    const err = await failure(user.transaction(
      [{ action: 'create', kind: 'service', object: service(id(1), 'web') }], { writer: 'user' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details?.[NOT_SENT_DETAIL]).toBe('true');
    expect(leader.store.version()).toBe(0);
  });
});

describe('Members', () => {
  it('delegates to the members port, for store and gateway roles only', async () => {
    const listed: ListMembersResponse = {
      members: [{ raftId: 7, nodeId: 'n1', addr: '127.0.0.1:1', status: undefined }],
      removedMembers: [3],
      leader: 7,
    };
    const port: MembersPort = {
      addMember: (r) => Promise.resolve({ raftId: 8, members: [{ raftId: 8, nodeId: r.nodeId,
        addr: r.addr, status: undefined }], removedMembers: [] }),
      removeMember: () => Promise.resolve({}),
      listMembers: () => Promise.resolve(listed),
    };
    const h = await startHarness({ members: port });
    const bare = await startHarness();
    try {
      expect(await h.client('gateway').listMembers()).toEqual(listed);
      expect((await h.client('store').addMember({ nodeId: 'n2', addr: 'x:1' })).raftId).toBe(8);
      expect((await failure(h.client('scheduler').listMembers())).code).toBe('PERMISSION_DENIED');
      expect((await failure(bare.client('gateway').listMembers())).code).toBe('UNIMPLEMENTED');
    } finally {
      await h.stop();
      await bare.stop();
    }
  });
});
