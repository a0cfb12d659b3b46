// Goal: lease-based leader election over the Leases service elects exactly one of several
// candidates; when the leader's process dies (its keep-alives stop) another takes over
// within 2 × ttl and the dead leader's loop was stopped before that; a write guarded by the
// lost lease is rejected while the new leader's guard passes; Observe streams the holder.
// Method: real gRPC on 127.0.0.1:0, electors with the minimum ttl (1 s) on real timers; each
// elector records when it starts and stops leading; "death" closes the elector's client.
import { isShoalError, type ShoalError } from '@shoal/errors';
import type { LeaseGuard } from '@shoal/proto';
import { runLeaderElection, type StoreClient } from '@shoal/store-client';
import { id, service, startHarness, until, type Harness } from './testdata/harness';

const TTL_MS = 1000;

interface Candidate {
  readonly name: string;
  readonly client: StoreClient;
  readonly stop: AbortController;
  done: Promise<void>;
  leading: boolean;
  guard: LeaseGuard | undefined;
  startedAt: number;
  stoppedAt: number;
}

function candidate(h: Harness, name: string, overlaps: string[], all: Candidate[]): Candidate {
  const client = h.client('scheduler');
  const stop = new AbortController();
  const c: Candidate = {
    name, client, stop, leading: false, guard: undefined, startedAt: 0, stoppedAt: 0,
    done: Promise.resolve(),
  };
  c.done = runLeaderElection({
    client, name: 'scheduler', holder: name, ttlMs: TTL_MS, signal: stop.signal,
    onStartedLeading: (_signal, guard) => {
      if (all.some((o) => o !== c && o.leading)) overlaps.push(name);
      c.leading = true;
      c.guard = guard;
      c.startedAt = Date.now();
    },
    onStoppedLeading: () => {
      c.leading = false;
      c.stoppedAt = Date.now();
    },
  });
  all.push(c);
  return c;
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

describe('Leases and leader election', () => {
  let h: Harness;
  let all: Candidate[];
  beforeEach(async () => {
    h = await startHarness();
    all = [];
  });
  afterEach(async () => {
    for (const c of all) c.stop.abort();
    await Promise.all(all.map((c) => c.done));
    await h.stop();
  });

  it('elects exactly one of three, and a successor within 2 × ttl after the leader dies', async () => {
    const overlaps: string[] = [];
    for (const name of ['a', 'b', 'c']) candidate(h, name, overlaps, all);
    await until(() => all.some((c) => c.leading), 3_000, 'a leader');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(all.filter((c) => c.leading)).toHaveLength(1);
    const first = all.find((c) => c.leading) as Candidate;

    const diedAt = Date.now();
    first.client.close();
    await until(() => all.some((c) => c !== first && c.leading), 2 * TTL_MS + 500, 'a successor');
    const second = all.find((c) => c !== first && c.leading) as Candidate;
    expect(second.startedAt - diedAt).toBeLessThanOrEqual(2 * TTL_MS);
    expect(first.leading).toBe(false);
    expect(first.stoppedAt).toBeLessThanOrEqual(second.startedAt);
    expect(overlaps).toEqual([]);
    expect(second.guard?.term).toBeGreaterThan(first.guard?.term ?? Infinity);

    const writer = h.client('gateway');
    const stale = await failure(writer.transaction(
      [{ action: 'create', kind: 'service', object: service(id(1), 'fenced') }],
      { writer: 'user', guard: first.guard }));
    expect(stale.code).toBe('FAILED_PRECONDITION');
    expect(stale.message).toContain('is not held by a');
    const fresh = await writer.transaction(
      [{ action: 'create', kind: 'service', object: service(id(2), 'fresh') }],
      { writer: 'user', guard: second.guard });
    expect(fresh.objects).toHaveLength(1);
  });

  it('resigns on stop, so a waiting candidate takes over at its next campaign', async () => {
    const overlaps: string[] = [];
    const a = candidate(h, 'a', overlaps, all);
    await until(() => a.leading, 3_000, 'a to lead');
    const b = candidate(h, 'b', overlaps, all);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.leading).toBe(false);
    a.stop.abort();
    await a.done;
    const stoppedAt = Date.now();
    await until(() => b.leading, TTL_MS, 'b to lead');
    expect(Date.now() - stoppedAt).toBeLessThan(TTL_MS);
    expect(overlaps).toEqual([]);
  });

  it('observes the lease: vacant first, then each holder', async () => {
    const client = h.client('allocator');
    const holders: Array<string | undefined> = [];
    const observer = client.observeLease('allocator', (lease) => holders.push(lease?.holder));
    await until(() => holders.length === 1, 3_000, 'the first state');
    const first = await client.campaign({ name: 'allocator', candidate: 'x', ttlMs: TTL_MS });
    expect(first.elected).toBe(true);
    const lease = first.lease as NonNullable<typeof first.lease>;
    await client.resign({ name: 'allocator', holder: 'x', term: lease.term });
    await client.campaign({ name: 'allocator', candidate: 'y', ttlMs: TTL_MS });
    await until(() => holders.length === 4, 3_000, 'three changes');
    expect(holders).toEqual([undefined, 'x', undefined, 'y']);
    const lost = await failure(client.keepAlive({ name: 'allocator', holder: 'x', term: lease.term }));
    expect(lost.code).toBe('FAILED_PRECONDITION');
    observer.close();
  });

  it('refuses leases to roles that are not control loops, and bad ttls', async () => {
    const gateway = h.client('gateway');
    const denied = await failure(gateway.campaign({ name: 'x', candidate: 'g', ttlMs: TTL_MS }));
    expect(denied.code).toBe('PERMISSION_DENIED');
    const scheduler = h.client('scheduler');
    const short = await failure(scheduler.campaign({ name: 'x', candidate: 's', ttlMs: 10 }));
    expect(short.code).toBe('INVALID_ARGUMENT');
    expect(short.details?.['field']).toBe('ttl');
  });
});
