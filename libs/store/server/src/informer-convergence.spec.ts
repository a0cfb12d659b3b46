// Goal: an informer over the real Store service converges to the store's exact contents
// while several writers create, update and delete concurrently, and its handlers see each
// key's changes in commit order; a work queue fed by the handlers holds each key once.
// Method: real gRPC on 127.0.0.1:0; three writers run random (seeded) operations; when they
// are done and the informer has caught up with the store's version, the cache is compared
// object by object with a list from the store.
import { SeededRandom } from '@shoal/random';
import { systemClock, systemTimers } from '@shoal/runtime';
import {
  createInformer,
  WorkQueue,
  type ClientChange,
  type StoreClient,
} from '@shoal/store-client';
import { id, service, startHarness, until } from './testdata/harness';

async function writer(client: StoreClient, seed: number, ids: string[]): Promise<void> {
  const random = new SeededRandom(seed);
  for (let step = 0; step < 60; step++) {
    const sid = random.pick(ids);
    const current = await client.get('service', sid);
    let change: ClientChange;
    if (current === undefined) {
      change = { action: 'create', kind: 'service', object: service(sid, `n-${sid}`) };
    } else if (random.float() < 0.3) {
      change = { action: 'delete', kind: 'service', object: current };
    } else {
      const labels = { step: String(step), seed: String(seed) };
      const spec = { ...current.spec, annotations: { name: `n-${sid}`, labels } };
      change = { action: 'update', kind: 'service', object: { ...current, spec } };
    }
    await client.transaction([change], { writer: 'user' }).catch(() => undefined);
  }
}

describe('Informer over the Store service', () => {
  it('converges to the store under concurrent creates, updates and deletes', async () => {
    const h = await startHarness();
    const reader = h.client('orchestrator');
    const informer = createInformer({ client: reader, kinds: ['service'] });
    const queue = new WorkQueue({ clock: systemClock, timers: systemTimers });
    const versions = new Map<string, number>();
    let outOfOrder = 0;
    const seen = (key: string, version: number | undefined): void => {
      if (version !== undefined && version < (versions.get(key) ?? 0)) outOfOrder++;
      versions.set(key, version ?? 0);
      queue.add(key);
    };
    informer.addHandlers({
      onAdd: (k, o) => seen(k, o.object.meta?.version?.index),
      onUpdate: (k, _o, n) => seen(k, n.object.meta?.version?.index),
      onDelete: (k) => queue.add(k),
    });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    try {
      expect(await informer.waitForSync()).toBe(true);
      const ids = Array.from({ length: 12 }, (_, i) => id(i));
      await Promise.all([1, 2, 3].map((seed) => writer(h.client('gateway'), seed, ids)));
      await until(() => informer.version === h.store.version(), 5_000, 'the informer to catch up');
      const want = h.store.list(['service']).objects.map((o) => o.object);
      const got = informer.list('service').sort((a, b) => a.id.localeCompare(b.id));
      expect(got).toEqual(want);
      expect(outOfOrder).toBe(0);
      expect(queue.len()).toBeLessThanOrEqual(ids.length);
    } finally {
      stop.abort();
      await running;
      queue.shutDown();
      await h.stop();
    }
  });
});
