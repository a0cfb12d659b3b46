// Goal: the engine gate never lets more than its slots run, serves queued starts before
// queued creates, and an abort while queued rejects without running the work.
// Method: work items that resolve on command; counts observed in between.
import { EngineGate } from './engine-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('EngineGate', () => {
  it('runs at most `slots` at once and starts queued work as slots free', async () => {
    const gate = new EngineGate(2);
    const never = new AbortController().signal;
    const items = Array.from({ length: 5 }, () => deferred());
    let running = 0;
    let peak = 0;
    const all = items.map((d) => gate.run('create', never, async () => {
      running++;
      peak = Math.max(peak, running);
      await d.promise;
      running--;
    }));
    await tick();
    expect(gate.inFlight).toBe(2);
    expect(gate.waiting).toBe(3);
    for (const d of items) {
      d.resolve();
      await tick();
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(gate.inFlight).toBe(0);
  });

  it('serves a queued start before a queued create', async () => {
    const gate = new EngineGate(1);
    const never = new AbortController().signal;
    const first = deferred();
    const order: string[] = [];
    const holding = gate.run('create', never, () => first.promise);
    const create = gate.run('create', never, async () => { order.push('create'); });
    const start = gate.run('start', never, async () => { order.push('start'); });
    first.resolve();
    await Promise.all([holding, create, start]);
    expect(order).toEqual(['start', 'create']);
  });

  it('rejects an aborted waiter without running it, and keeps the slot count right', async () => {
    const gate = new EngineGate(1);
    const first = deferred();
    const holding = gate.run('start', new AbortController().signal, () => first.promise);
    const abort = new AbortController();
    let ran = false;
    const waiting = gate.run('create', abort.signal, async () => { ran = true; });
    abort.abort(new Error('task updated'));
    await expect(waiting).rejects.toThrow('task updated');
    expect(gate.waiting).toBe(0);
    first.resolve();
    await holding;
    expect(ran).toBe(false);
    expect(gate.inFlight).toBe(0);
    await gate.run('create', new AbortController().signal, async () => undefined);
    expect(gate.inFlight).toBe(0);
  });
});
