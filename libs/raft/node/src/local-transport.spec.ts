// Goal: the in-memory hub delivers asynchronously and in order, and its faults behave:
// cut links and isolation drop and report unreachable, partitions split groups, a drop rate
// drops about that share, a delay holds messages until the clock passes it, heal restores.
// Method: two or three endpoints with recording handlers; a ManualClock for delays.
import { ManualClock } from '@shoal/clock';
import { MessageType, SnapshotStatus, type Message } from '@shoal/raft';
import { SeededRandom } from '@shoal/random';
import { LocalTransportHub } from './local-transport';
import { settle } from './testdata/cluster';
import type { Transport, TransportHandler } from './transport';

class Recorder implements TransportHandler {
  received: Message[] = [];
  unreachable: number[] = [];
  snapshots: SnapshotStatus[] = [];
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(id: number): void {
    this.unreachable.push(id);
  }
  reportSnapshot(_id: number, status: SnapshotStatus): void {
    this.snapshots.push(status);
  }
}

function msg(from: number, to: number, commit = 0, type = MessageType.MsgHeartbeat): Message {
  return {
    type, to, from, term: 1, logTerm: 0, index: 0, entries: [], commit,
    reject: false, rejectHint: 0, context: new Uint8Array(0),
  };
}

async function setup(ids: number[]): Promise<{
  clock: ManualClock;
  hub: LocalTransportHub;
  t: Map<number, Transport>;
  r: Map<number, Recorder>;
}> {
  const clock = new ManualClock();
  const hub = new LocalTransportHub({ timers: clock, random: new SeededRandom(5) });
  const t = new Map<number, Transport>();
  const r = new Map<number, Recorder>();
  for (const id of ids) {
    const transport = hub.connect(id);
    const recorder = new Recorder();
    await transport.start(recorder);
    t.set(id, transport);
    r.set(id, recorder);
  }
  return { clock, hub, t, r };
}

describe('LocalTransportHub', () => {
  it('delivers after send returns, in order', async () => {
    const { t, r } = await setup([1, 2]);
    t.get(1)?.send([msg(1, 2, 1), msg(1, 2, 2), msg(1, 2, 3)]);
    expect(r.get(2)?.received).toEqual([]);
    await settle(2);
    expect(r.get(2)?.received.map((m) => m.commit)).toEqual([1, 2, 3]);
  });

  it('drops across cuts, isolation, partitions (reported unreachable); heal restores', async () => {
    const { hub, t, r } = await setup([1, 2, 3]);
    hub.cut(1, 2);
    t.get(1)?.send([msg(1, 2), msg(1, 3)]);
    await settle(2);
    expect(r.get(2)?.received).toHaveLength(0);
    expect(r.get(3)?.received).toHaveLength(1);
    expect(r.get(1)?.unreachable).toEqual([2]);
    hub.heal();
    hub.partition([1], [2, 3]);
    t.get(2)?.send([msg(2, 3), msg(2, 1)]);
    await settle(2);
    expect(r.get(3)?.received).toHaveLength(2);
    expect(r.get(1)?.received).toHaveLength(0);
    hub.heal();
    hub.isolate(3);
    t.get(1)?.send([msg(1, 3, 0, MessageType.MsgSnap)]);
    await settle(2);
    expect(r.get(1)?.snapshots).toEqual([SnapshotStatus.Failure]);
    hub.heal();
    t.get(1)?.send([msg(1, 3, 0, MessageType.MsgSnap)]);
    await settle(2);
    expect(r.get(1)?.snapshots).toEqual([SnapshotStatus.Failure, SnapshotStatus.Finish]);
  });

  it('drops about the configured share and delays by the clock', async () => {
    const { clock, hub, t, r } = await setup([1, 2]);
    hub.setDropRate(0.5);
    t.get(1)?.send(Array.from({ length: 1000 }, (_, i) => msg(1, 2, i)));
    await settle(2);
    const got = r.get(2)?.received.length ?? 0;
    expect(got).toBeGreaterThan(400);
    expect(got).toBeLessThan(600);
    expect(hub.stats.dropped + hub.stats.delivered).toBe(1000);
    hub.heal();
    hub.setDelay(50);
    t.get(1)?.send([msg(1, 2, 9999)]);
    await settle(2);
    expect(r.get(2)?.received.at(-1)?.commit).not.toBe(9999);
    clock.advance(50);
    expect(r.get(2)?.received.at(-1)?.commit).toBe(9999);
  });

  it('stops delivering to a stopped member', async () => {
    const { t, r } = await setup([1, 2]);
    await t.get(2)?.stop();
    t.get(1)?.send([msg(1, 2)]);
    await settle(2);
    expect(r.get(2)?.received).toHaveLength(0);
    expect(r.get(1)?.unreachable).toEqual([2]);
  });
});
