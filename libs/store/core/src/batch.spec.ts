// Goal: bulk writes are cut into transactions of at most 200 changes or ¾ × 1.5 MiB, each
// committed atomically, with partial commits reported when one fails (SwarmKit TestBatch,
// TestBatchFailure); the StoreWriter pre-checks on the local state before proposing, and the
// LocalProposer stamps versions and times deterministically. Method: a MemoryStore with a
// LocalProposer on a ManualClock, plus a counting Proposer wrapper (a fake, not a mock).
import { ManualClock } from '@shoal/clock';
import { STORE_LIMITS } from '@shoal/limits';
import { changeBytes, splitChanges } from './batch';
import { MemoryStore } from './memory-store';
import { LocalProposer, StoreWriter, type ProposalRequest, type Proposer } from './proposer';
import type { TransactionResult } from './types';
import { change, id, mustApply, secret, service } from './testdata/fixtures';

class CountingProposer implements Proposer {
  proposals = 0;
  constructor(private readonly inner: Proposer) {}
  propose(request: ProposalRequest): Promise<TransactionResult> {
    this.proposals++;
    return this.inner.propose(request);
  }
  version(): number {
    return this.inner.version();
  }
}

function setup(): { store: MemoryStore; clock: ManualClock; proposer: CountingProposer; writer: StoreWriter } {
  const store = new MemoryStore();
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const proposer = new CountingProposer(new LocalProposer(store, clock));
  return { store, clock, proposer, writer: new StoreWriter(store, proposer, clock) };
}

const creates = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => change('create', 'service', service(id(from + i), `s${from + i}`)));

describe('splitChanges', () => {
  it.each([
    [0, []],
    [1, [1]],
    [200, [200]],
    [201, [200, 1]],
    [405, [200, 200, 5]],
  ])('%d creates → groups of %j', (n, sizes) => {
    expect(splitChanges(creates(n)).map((g) => g.length)).toEqual(sizes);
  });

  it('cuts on bytes at ¾ × 1.5 MiB', () => {
    const big = Array.from({ length: 10 }, (_, i) => change('create', 'secret', secret(id(i), `k${i}`, 'x'.repeat(300 * 1024))));
    const groups = splitChanges(big);
    expect(groups.map((g) => g.length)).toEqual([3, 3, 3, 1]);
    for (const g of groups) {
      expect(g.reduce((n, c) => n + changeBytes(c), 0)).toBeLessThanOrEqual(STORE_LIMITS.batchSplitBytes);
    }
  });
});

describe('StoreWriter', () => {
  it('commits 405 creates as 3 transactions', async () => {
    const { store, proposer, writer } = setup();
    const result = await writer.batch('user', creates(405));
    expect(result.failure).toBeUndefined();
    expect(result.committed.map((c) => [c.version, c.events.length])).toEqual([[1, 200], [2, 200], [3, 5]]);
    expect(proposer.proposals).toBe(3);
    expect(store.counts().service).toBe(405);
  });

  it('reports a partial commit when a later transaction fails', async () => {
    const { store, writer } = setup();
    mustApply(store, 'user', [change('create', 'service', service(id(999), 's249'))]);
    const result = await writer.batch('user', creates(405));
    expect(result.committed).toHaveLength(1);
    expect(result.failure).toMatchObject({ firstUncommitted: 200, changeIndex: 249 });
    expect(result.failure?.error.code).toBe('NAME_CONFLICT');
    expect(store.counts().service).toBe(201);
  });

  it('stamps the proposer clock and the next version', async () => {
    const { store, clock, writer } = setup();
    clock.advance(1500);
    const r = await writer.update('user', creates(1));
    expect(r.ok).toBe(true);
    expect(store.get('service', id(0))?.meta).toEqual({
      version: { index: 1 },
      createdAt: new Date(Date.UTC(2024, 0, 1) + 1500),
      updatedAt: new Date(Date.UTC(2024, 0, 1) + 1500),
    });
  });

  it('fails fast on the local pre-check without proposing', async () => {
    const { proposer, writer } = setup();
    const r = await writer.update('scheduler', creates(1));
    expect(r.ok || r.error.code).toBe('PERMISSION_DENIED');
    expect(proposer.proposals).toBe(0);
  });
});
