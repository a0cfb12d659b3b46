// Goal: a five-member raft-store keeps taking writes when two members die at once, the
// leader among them, and both catch up after a restart without losing an acknowledged write;
// every member exports on /metrics what the issue lists (has_leader, leader changes, term,
// commit/applied index, proposals committed/failed/pending, WAL fsync and apply durations,
// entries per fsync, watchers, snapshot durations, object counts per kind).
// Method: five processes of the built app (free loopback ports, temp state dirs, a small
// snapshot interval so snapshots happen), a sequential writer through @shoal/store-client,
// kill -9 of the leader and of one follower, restarts, stale reads on the restarted members
// until they hold the last acknowledged write, then a linearizable read of every
// acknowledged write; /metrics scraped over HTTP from a running member.
import { Config } from '@shoal/proto';
import type { StoreClient } from '@shoal/store-client';
import { buildApp, sleep, TestCluster } from './testdata/cluster';

jest.setTimeout(180_000);

/** Applied entries between snapshots: small, so members snapshot during the test. */
const SNAPSHOT_INTERVAL = 40;

function config(n: number): Config {
  return Config.fromPartial({
    id: `0f${String(n).padStart(8, '0')}`.padEnd(25, '0'),
    spec: { annotations: { name: `five-${n}`, labels: {} }, data: Buffer.from(`v${n}`) },
  });
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000):
  Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Writer writes config(0), config(1), … one at a time and records which were acknowledged. */
class Writer {
  readonly acked: number[] = [];
  failures = 0;
  private next = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly client: StoreClient) {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const n = this.next++;
      try {
        await this.client.transaction([{ action: 'create', kind: 'config', object: config(n) }],
          { writer: 'user' });
        this.acked.push(n);
      } catch {
        // Outcome unknown (the leader died with it) or refused while electing: go on.
        this.failures += 1;
        await sleep(50);
      }
    }
  }
}

/** scrape returns the /metrics text of a member. */
async function scrape(httpPort: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`,
    { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  return response.text();
}

/** sample reads one sample's value (`name` with its labels, as printed) from metrics text. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('raft-store: five members (processes)', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    buildApp();
    cluster = await TestCluster.create(5, ['--snapshot-interval', String(SNAPSHOT_INTERVAL)]);
    await cluster.startAll();
    await cluster.leaderId();
  }, 240_000);

  afterAll(async () => {
    await cluster?.stopAll();
  });

  it('keeps writing with the leader and a follower killed, and both catch up after a restart',
    async () => {
      const writer = new Writer(cluster.client('gateway'));
      await waitFor('writes before the kills', () => writer.acked.length >= 20);
      const leader = await cluster.leaderId();
      const follower = cluster.live().find((m) => m.raftId !== leader)?.raftId ?? 0;
      await Promise.all([cluster.kill(leader), cluster.kill(follower)]);
      const ackedAtKill = writer.acked.length;
      // Three of five are a quorum: a new leader is elected and writes go on.
      await waitFor('writes with two members down', () => writer.acked.length >= ackedAtKill + 30);
      expect(await cluster.leaderId()).not.toBe(leader);
      await Promise.all([cluster.start(leader), cluster.start(follower)]);
      await waitFor('writes after the restarts', () => writer.acked.length >= ackedAtKill + 60);
      await writer.stop();
      const last = writer.acked[writer.acked.length - 1] as number;
      for (const id of [leader, follower]) {
        const reader = cluster.client('orchestrator', [id]);
        await waitFor(`member ${id} catching up`, async () =>
          (await reader.get('config', config(last).id, { stale: true }).catch(() => undefined))
            !== undefined);
      }
      const reader = cluster.client('orchestrator', [leader]);
      const { objects } = await reader.list(['config']);
      const stored = new Set(objects.map((o) => o.object.id));
      const lost = writer.acked.filter((n) => !stored.has(config(n).id));
      expect(lost).toEqual([]);
      expect(cluster.live()).toHaveLength(5);
    });

  it('exports the raft and store metrics the issue lists on /metrics', async () => {
    const leaderId = await cluster.leaderId();
    const writer = cluster.client('gateway', [leaderId]);
    await writer.transaction([{ action: 'create', kind: 'config', object: config(900_000) }],
      { writer: 'user' });
    const watcher = cluster.client('orchestrator', [leaderId]);
    const sub = watcher.watch({ filters: [{ kinds: [] }] }, { onTransaction: () => undefined });
    const leader = cluster.members.get(leaderId);
    if (leader === undefined) throw new Error('no leader process');
    let text = '';
    await waitFor('gauges refreshed', async () => {
      text = await scrape(leader.httpPort);
      return (sample(text, 'shoal_store_watchers') ?? 0) >= 1 &&
        (sample(text, 'shoal_store_objects{kind="config"}') ?? 0) >= 60;
    }, 15_000);
    sub.close();
    for (const name of ['shoal_raft_has_leader', 'shoal_raft_is_leader', 'shoal_raft_term',
      'shoal_raft_commit_index', 'shoal_raft_applied_index', 'shoal_raft_proposals_pending',
      'shoal_raft_leader_changes_total', 'shoal_raft_proposals_committed_total']) {
      expect([name, sample(text, name)]).toEqual([name, expect.any(Number)]);
    }
    expect(sample(text, 'shoal_raft_has_leader')).toBe(1);
    expect(sample(text, 'shoal_raft_is_leader')).toBe(1);
    expect(sample(text, 'shoal_raft_term')).toBeGreaterThan(1);
    expect(sample(text, 'shoal_raft_leader_changes_total')).toBeGreaterThanOrEqual(1);
    const commit = sample(text, 'shoal_raft_commit_index') ?? 0;
    expect(commit).toBeGreaterThan(60);
    expect(sample(text, 'shoal_raft_applied_index')).toBeLessThanOrEqual(commit);
    expect(sample(text, 'shoal_raft_proposals_committed_total')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE shoal_raft_proposals_failed_total counter');
    const histograms = ['shoal_raft_wal_fsync_duration_seconds', 'shoal_raft_entries_per_fsync',
      'shoal_raft_apply_duration_seconds', 'shoal_raft_proposal_duration_seconds',
      'shoal_raft_snapshot_duration_seconds'];
    const unobserved = histograms.filter((h) => !((sample(text, `${h}_count`) ?? 0) > 0));
    expect(unobserved).toEqual([]);
    expect(sample(text, 'shoal_store_objects{kind="task"}')).toBe(0);
    expect(sample(text, 'shoal_store_watch_streams')).toBeGreaterThanOrEqual(1);
  });
});
