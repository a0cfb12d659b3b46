// Goal: the raft-store app, run as three real processes, is a linearizable replicated store:
// writes through any member (followers forward), linearizable reads on every member, field
// ownership enforced against the caller, watches that resume after a disconnect without
// loss or duplicates, every acknowledged write surviving kill -9 of a follower and of the
// leader under load, a wiped member re-added under a new id catching up by snapshot, and a
// lone survivor recovered with --force-new-cluster.
// Method: build the app once, start members as child processes (free loopback ports, temp
// state dirs, a small snapshot interval so snapshots and compaction happen), drive them with
// @shoal/store-client (test identities), kill with SIGKILL, and check the recorded history
// with @shoal/testing-linearizability's KV model. Timeouts are generous (loaded 2-core box).
import fs from 'node:fs';
import { isShoalError, type ShoalError } from '@shoal/errors';
import { Config } from '@shoal/proto';
import type { WatchTransaction } from '@shoal/store-client';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the checker is the acceptance test's oracle (issue "raft-store")
import { checkOperations, KV_MODEL } from '@shoal/testing-linearizability';
import { buildApp, sleep, TestCluster } from './testdata/cluster';
import { configObject, History } from './testdata/history';

jest.setTimeout(120_000);

/** Applied entries between snapshots: small, so the tests cross several snapshots. */
const SNAPSHOT_INTERVAL = 40;

function config(n: number, data = `v${n}`): Config {
  return Config.fromPartial({
    id: `cfg${String(n).padStart(6, '0')}`.padEnd(25, '0'),
    spec: { annotations: { name: `cfg-${n}`, labels: {} }, data: Buffer.from(data) },
  });
}

async function failure(promise: Promise<unknown>): Promise<ShoalError> {
  try {
    await promise;
  } catch (err) {
    if (isShoalError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000):
  Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('raft-store cluster (processes)', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    buildApp();
    cluster = await TestCluster.create(3, ['--snapshot-interval', String(SNAPSHOT_INTERVAL)]);
    await cluster.startAll();
    await cluster.leaderId();
  }, 240_000);

  afterAll(async () => {
    await cluster?.stopAll();
  });

  async function followerId(): Promise<number> {
    const leader = await cluster.leaderId();
    const follower = cluster.live().find((m) => m.raftId !== leader);
    if (follower === undefined) throw new Error('no live follower');
    return follower.raftId;
  }

  it('commits writes sent to a follower and reads them linearizably on every member', async () => {
    const follower = await followerId();
    const writer = cluster.client('gateway', [follower]);
    const committed = await writer.transaction(
      [{ action: 'create', kind: 'config', object: config(1) }], { writer: 'user' });
    expect(committed.version).toBeGreaterThan(0);
    for (const member of cluster.live()) {
      const reader = cluster.client('orchestrator', [member.raftId]);
      const read = await reader.get('config', config(1).id);
      expect(Buffer.from(read?.spec?.data ?? []).toString()).toBe('v1');
      expect(read?.meta?.version?.index).toBe(committed.version);
      const stale = await reader.get('config', config(1).id, { stale: true });
      expect(stale?.meta?.version?.index).toBeLessThanOrEqual(committed.version);
    }
  });

  it('rejects ownership violations, naming the field', async () => {
    const user = cluster.client('gateway');
    await user.transaction([{ action: 'create', kind: 'config', object: config(2) }],
      { writer: 'user' });
    const mismatch = await failure(user.transaction(
      [{ action: 'create', kind: 'config', object: config(3) }], { writer: 'orchestrator' }));
    expect(mismatch.code).toBe('PERMISSION_DENIED');
    expect(mismatch.details?.['field']).toBe('writer');
    const orchestrator = cluster.client('orchestrator');
    const denied = await failure(orchestrator.update('config', config(2).id,
      (c) => ({ ...c, spec: { ...c.spec, data: Buffer.from('hijacked') } } as Config),
      { writer: 'orchestrator' }));
    expect(denied.code).toBe('PERMISSION_DENIED');
    expect(denied.message).toContain('spec');
    const read = await user.get('config', config(2).id);
    expect(Buffer.from(read?.spec?.data ?? []).toString()).toBe('v2');
  });

  it('resumes a watch after its member is killed: every event once, in order', async () => {
    const watched = await followerId();
    const others = cluster.live().map((m) => m.raftId).filter((id) => id !== watched);
    const watcher = cluster.client('orchestrator', [watched, ...others]);
    const writer = cluster.client('gateway', others);
    const start = await writer.list(['config']);
    const seen: WatchTransaction[] = [];
    const sub = watcher.watch({ fromVersion: start.version, filters: [{ kinds: [] }] }, {
      onTransaction: (t) => seen.push(t),
    });
    const versions: number[] = [];
    for (let n = 100; n < 130; n++) {
      if (n === 110) await cluster.kill(watched);
      const c = await writer.transaction([{ action: 'create', kind: 'config', object: config(n) }],
        { writer: 'user' });
      versions.push(c.version);
    }
    await waitFor('every watched write', () => seen.length >= versions.length);
    sub.close();
    expect(seen.map((t) => t.version)).toEqual(versions);
    const names = seen.flatMap((t) => t.events.map((e) => (e.object as Config).spec?.annotations?.name));
    expect(names).toEqual(versions.map((_, i) => `cfg-${100 + i}`));
    await cluster.start(watched);
  });

  it('keeps every acknowledged write, with no stale read, across kill -9 of a follower and the leader',
    async () => {
      const keys = ['a', 'b', 'c'];
      const history = new History();
      const setup = cluster.client('gateway');
      for (const key of keys) {
        const call = performance.now();
        await setup.transaction([{ action: 'create', kind: 'config', object: configObject(key, 'init') }],
          { writer: 'user' });
        history.ops.push({ clientId: 99, input: { kind: 'put', key, value: 'init' }, call,
          output: { kind: 'put' }, return: performance.now() });
      }
      let stopped = false;
      const load = [0, 1, 2, 3].map((id) =>
        history.runClient(cluster.client('gateway'), id, keys, () => stopped));
      await sleep(1_500);
      const follower = await followerId();
      await cluster.kill(follower);
      await sleep(2_000);
      await cluster.start(follower);
      await sleep(1_500);
      const leader = await cluster.leaderId();
      await cluster.kill(leader);
      await sleep(3_000);
      await cluster.start(leader);
      await sleep(2_000);
      stopped = true;
      await Promise.all(load);
      await cluster.leaderId();
      for (const member of cluster.live()) {
        const reader = cluster.client('gateway', [member.raftId]);
        for (const key of keys) {
          await waitFor(`a final read on member ${member.raftId}`,
            () => history.get(reader, 100 + member.raftId, key));
        }
      }
      const result = checkOperations(KV_MODEL, history.ops,
        { budgetMs: 30_000, now: () => performance.now() });
      const summary = { ops: history.ops.length, acked: history.ackedPuts,
        unknown: history.unknownPuts, failedReads: history.failedReads.length };
      if (result.result !== 'ok') {
        const why = result.result === 'illegal' ? result.explanation.message : 'budget ran out';
        throw new Error(`history is ${result.result}: ${why} ${JSON.stringify(summary)}`);
      }
      process.stderr.write(`linearizability: ok ${JSON.stringify(summary)}\n`);
      expect(history.ackedPuts).toBeGreaterThan(20);
      const finals = history.ops.filter((o) => o.clientId > 100);
      expect(finals).toHaveLength(keys.length * cluster.live().length);
    });

  it('catches a wiped member, removed and re-added under a new id, up by snapshot', async () => {
    const victim = await followerId();
    const address = cluster.members.get(victim)?.address as string;
    await cluster.kill(victim);
    fs.rmSync(cluster.members.get(victim)?.dir as string, { recursive: true, force: true });
    const admin = cluster.client('store', cluster.live().map((m) => m.raftId));
    await waitFor('the removal', async () => {
      try {
        await admin.removeMember(victim);
        return true;
      } catch {
        return false;
      }
    });
    const writer = cluster.client('gateway', cluster.live().map((m) => m.raftId));
    for (let n = 200; n < 200 + 2 * SNAPSHOT_INTERVAL; n++) {
      await writer.transaction([{ action: 'create', kind: 'config', object: config(n) }],
        { writer: 'user' });
    }
    const added = await admin.addMember({ nodeId: 'rejoined', addr: address });
    expect(added.raftId).toBeGreaterThan(3);
    const joined = await cluster.start(added.raftId, { address, args: ['--join'],
      dirName: `m${added.raftId}` });
    await waitFor('a snapshot restore', () => joined.lines.some((l) => l.includes('restored a snapshot')));
    const fresh = cluster.client('gateway', [added.raftId]);
    const leaderView = await writer.list(['config']);
    await waitFor('catch-up', async () => {
      const mine = await fresh.list(['config'], { stale: true }).catch(() => undefined);
      return mine !== undefined && mine.objects.length === leaderView.objects.length;
    });
    const listed = await admin.listMembers();
    expect(listed.members.map((m) => m.raftId)).toContain(added.raftId);
    expect(listed.removedMembers).toContain(victim);
    const read = await fresh.get('config', config(200).id);
    expect(Buffer.from(read?.spec?.data ?? []).toString()).toBe('v200');
  });

  it('recovers a lone survivor with --force-new-cluster, keeping committed data', async () => {
    const leader = await cluster.leaderId();
    const survivor = cluster.founders.has(leader) ? leader
      : (cluster.live().find((m) => cluster.founders.has(m.raftId))?.raftId as number);
    for (const m of cluster.live()) await cluster.kill(m.raftId);
    await cluster.start(survivor, { args: ['--force-new-cluster'] });
    const client = cluster.client('gateway', [survivor]);
    await waitFor('the survivor to lead', async () => (await cluster.leaderId()) === survivor);
    const read = await client.get('config', config(1).id);
    expect(Buffer.from(read?.spec?.data ?? []).toString()).toBe('v1');
    await client.transaction([{ action: 'create', kind: 'config', object: config(999) }],
      { writer: 'user' });
    const members = await client.listMembers();
    expect(members.members.map((m) => m.raftId)).toEqual([survivor]);
  });
});
