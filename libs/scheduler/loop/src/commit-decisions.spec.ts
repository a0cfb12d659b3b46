// Goal: commitDecisions packs whole node groups into transactions of at most 200 changes (a
// fence per node), commits them concurrently, never splits a node across concurrent
// transactions, fences a node's overflow (more than 199 decisions) in a later wave at the
// version the earlier wave committed, and drops only the decisions the store refuses.
// Method: a fake CommitSource that behaves like the store for what matters here: whole
// transactions, version checks on every change, a version bump per committed object; it
// records the transactions in flight at once.
import { Node, Task } from '@shoal/proto';
import { ShoalError } from '@shoal/errors';
import type { SchedulingDecision } from '@shoal/scheduler-core';
import type { ClientChange, Committed } from '@shoal/store-client';
import { commitDecisions, type CommitSource } from './commit-decisions';

class FakeStore implements CommitSource {
  readonly nodes = new Map<string, Node>();
  readonly tasks = new Map<string, Task>();
  readonly transactions: ClientChange[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  version = 1;
  readonly nowMs = 0;

  node(id: string): Node | undefined {
    return this.nodes.get(id);
  }

  task(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  async commit(changes: readonly ClientChange[]): Promise<Committed> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await Promise.resolve();
    this.inFlight--;
    for (const [i, c] of changes.entries()) {
      const stored = c.kind === 'node' ? this.nodes.get(c.object.id) : this.tasks.get(c.object.id);
      if (stored?.meta?.version?.index !== c.object.meta?.version?.index) {
        throw new ShoalError('SEQUENCE_CONFLICT', 'version mismatch', { changeIndex: String(i) });
      }
    }
    this.version++;
    this.transactions.push([...changes]);
    const objects = changes.map((c) => {
      const object = { ...c.object, meta: { version: { index: this.version } } };
      if (c.kind === 'node') this.nodes.set(object.id, object as Node);
      else this.tasks.set(object.id, object as Task);
      return { kind: c.kind, object } as Committed['objects'][number];
    });
    return { version: this.version, objects };
  }
}

function setup(perNode: readonly number[]): { store: FakeStore; decisions: SchedulingDecision[] } {
  const store = new FakeStore();
  const decisions: SchedulingDecision[] = [];
  let t = 0;
  perNode.forEach((count, n) => {
    const nodeId = `n${n}`;
    store.nodes.set(nodeId, Node.fromPartial({ id: nodeId, meta: { version: { index: 1 } } }));
    for (let i = 0; i < count; i++, t++) {
      const taskId = `t${t}`;
      store.tasks.set(taskId, Task.fromPartial({ id: taskId, meta: { version: { index: 1 } } }));
      decisions.push({ taskId, nodeId, nodeVersion: 1, assignedGenericResources: [], preassigned: false,
        message: 'scheduler assigned task to node' });
    }
  });
  return { store, decisions };
}

function nodesOf(tx: readonly ClientChange[]): string[] {
  return tx.filter((c) => c.kind === 'node').map((c) => c.object.id);
}

describe('commitDecisions', () => {
  it('packs whole node groups into concurrent transactions of at most 200 changes', async () => {
    const { store, decisions } = setup(Array.from({ length: 100 }, () => 10));
    const result = await commitDecisions(store, decisions);
    expect(result.failed).toEqual([]);
    expect(result.committed).toHaveLength(1_000);
    expect(store.transactions.every((tx) => tx.length <= 200)).toBe(true);
    const seen = store.transactions.flatMap(nodesOf);
    expect(new Set(seen).size).toBe(seen.length);
    expect(store.transactions).toHaveLength(Math.ceil(1_100 / 198));
    expect(store.maxInFlight).toBeGreaterThan(1);
    expect([...store.tasks.values()].every((t) => t.nodeId !== '')).toBe(true);
  });

  it('fences a node\'s overflow in a later wave at the version the first wave committed', async () => {
    const { store, decisions } = setup([450, 3]);
    const result = await commitDecisions(store, decisions);
    expect(result.failed).toEqual([]);
    expect(result.committed).toHaveLength(453);
    expect(store.transactions.map((tx) => tx.length)).toEqual([200, 4, 200, 53]);
  });

  it('drops the decisions of a node that changed and commits the rest', async () => {
    const { store, decisions } = setup([5, 5]);
    store.nodes.set('n0', Node.fromPartial({ id: 'n0', meta: { version: { index: 9 } } }));
    const result = await commitDecisions(store, decisions);
    expect(result.failed.map((d) => d.nodeId)).toEqual(['n0', 'n0', 'n0', 'n0', 'n0']);
    expect(result.committed.map((d) => d.nodeId)).toEqual(['n1', 'n1', 'n1', 'n1', 'n1']);
  });
});
