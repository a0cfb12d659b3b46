// Goal: the gRPC transport carries raft traffic faithfully: the codec round-trips every
// field, snapshots are chunked under the gRPC cap and reassembled only when complete and
// intact, an unreachable peer is reported (never blocks, never throws), and two RaftNodes on
// 127.0.0.1 elect a leader and replicate over it.
// Method: pure tests of the codec and SnapshotAssembly; real grpc-js servers on loopback
// ports chosen by the OS, insecure credentials, real timers with short bounded waits.
import { systemTimers } from '@shoal/runtime';
import { EntryType, MessageType, SnapshotStatus, type Message } from '@shoal/raft';
import { SeededRandom } from '@shoal/random';
import { GrpcTransport, SnapshotAssembly } from './grpc-transport';
import { RAFT_NODE_LIMITS } from '@shoal/limits';
import { fromWire, toWire } from './message-codec';
import { snapshotParts } from './peer-sender';
import { MemoryPersistence } from './persistence';
import { RaftNode } from './raft-node';
import { bytes, RecordingApplier } from './testdata/cluster';
import type { TransportHandler } from './transport';

function message(init: Partial<Message> & { type: MessageType }): Message {
  return {
    to: 2,
    from: 1,
    term: 3,
    logTerm: 2,
    index: 7,
    entries: [],
    commit: 5,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
    ...init,
  };
}

function snapshotMessage(data: Uint8Array): Message {
  const confState = {
    voters: [1, 2],
    learners: [3],
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  const snapshot = { data, metadata: { index: 40, term: 3, confState } };
  return message({ type: MessageType.MsgSnap, snapshot });
}

/** Recorder is a TransportHandler that remembers what it was told. */
class Recorder implements TransportHandler {
  received: Message[] = [];
  unreachable: number[] = [];
  snapshots: SnapshotStatus[] = [];
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(peerId: number): void {
    this.unreachable.push(peerId);
  }
  reportSnapshot(_peerId: number, status: SnapshotStatus): void {
    this.snapshots.push(status);
  }
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('message codec', () => {
  it('round-trips a MsgApp with entries, context and reject hint', () => {
    const m = message({
      type: MessageType.MsgApp,
      entries: [
        { term: 3, index: 8, type: EntryType.Normal, data: bytes('x') },
        { term: 3, index: 9, type: EntryType.ConfChange, data: bytes('cc') },
      ],
      reject: true,
      rejectHint: 4,
      context: bytes('ctx'),
    });
    expect(fromWire(toWire(m))).toEqual({ ...m, entries: m.entries, context: m.context });
  });

  it('round-trips a MsgSnap, and can leave its data out for chunked transfer', () => {
    const m = snapshotMessage(bytes('state'));
    expect(fromWire(toWire(m))?.snapshot).toEqual(m.snapshot);
    expect(fromWire(toWire(m, false))?.snapshot?.data.byteLength).toBe(0);
  });

  it('refuses local message types in both directions', () => {
    expect(() => toWire(message({ type: MessageType.MsgHup }))).toThrow(/never crosses/);
    const wire = toWire(message({ type: MessageType.MsgHeartbeat }));
    expect(fromWire({ ...wire, type: MessageType.MsgBeat as number })).toBeUndefined();
  });
});

describe('SnapshotAssembly', () => {
  const data = new Uint8Array(2 * RAFT_NODE_LIMITS.snapshotChunkBytes + 123).map((_, i) => i % 251);

  it('splits under the chunk limit and reassembles the same bytes', () => {
    const parts = [...snapshotParts(snapshotMessage(data), data)];
    expect(parts).toHaveLength(4);
    const assembly = new SnapshotAssembly(2);
    for (const p of parts) {
      if (p.part?.$case === 'chunk') {
        const max = RAFT_NODE_LIMITS.snapshotChunkBytes;
        expect(p.part.chunk.data.byteLength).toBeLessThanOrEqual(max);
      }
      assembly.add(p);
    }
    const m = assembly.finish();
    expect(typeof m).not.toBe('string');
    expect(Buffer.from((m as Message).snapshot?.data ?? []).equals(Buffer.from(data))).toBe(true);
  });

  it('refuses reordered chunks, missing data, a bad digest and another recipient', () => {
    const parts = [...snapshotParts(snapshotMessage(data), data)];
    const reordered = new SnapshotAssembly(2);
    for (const p of [parts[0], parts[2], parts[1], parts[3]]) if (p !== undefined) reordered.add(p);
    expect(reordered.finish()).toBe('chunks out of order');
    const short = new SnapshotAssembly(2);
    for (const p of parts.slice(0, 3)) short.add(p);
    expect(short.finish()).toBe('less data than announced');
    const tampered = new SnapshotAssembly(2);
    for (const p of parts) {
      if (p.part?.$case === 'chunk' && p.part.chunk.offset === 0) {
        const copy = Buffer.from(p.part.chunk.data);
        copy[0] = (copy[0] ?? 0) ^ 1;
        tampered.add({ part: { $case: 'chunk', chunk: { offset: 0, data: copy } } });
      } else {
        tampered.add(p);
      }
    }
    expect(tampered.finish()).toBe('sha256 mismatch');
    const other = new SnapshotAssembly(9);
    for (const p of parts) other.add(p);
    expect(other.finish()).toBe('snapshot is for member 2');
  });
});

describe('GrpcTransport on 127.0.0.1', () => {
  const transports: GrpcTransport[] = [];
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.stop();
  });

  interface Pair {
    a: GrpcTransport;
    b: GrpcTransport;
    ra: Recorder;
    rb: Recorder;
  }

  async function pair(): Promise<Pair> {
    const random = new SeededRandom(1);
    const a = new GrpcTransport({ id: 1, listen: '127.0.0.1:0', timers: systemTimers, random });
    const b = new GrpcTransport({ id: 2, listen: '127.0.0.1:0', timers: systemTimers, random });
    transports.push(a, b);
    const ra = new Recorder();
    const rb = new Recorder();
    await a.start(ra);
    await b.start(rb);
    a.addPeer(2, `127.0.0.1:${b.port}`);
    b.addPeer(1, `127.0.0.1:${a.port}`);
    return { a, b, ra, rb };
  }

  it('delivers messages in order and a chunked snapshot, reporting it finished', async () => {
    const { a, ra, rb } = await pair();
    const batch = Array.from({ length: 300 }, (_, i) =>
      message({ type: MessageType.MsgHeartbeat, commit: i }),
    );
    a.send(batch);
    await until(() => rb.received.length === 300, 'messages');
    expect(rb.received.map((m) => m.commit)).toEqual(batch.map((m) => m.commit));
    const data = new Uint8Array(3 * 1024 * 1024 + 5).fill(9);
    a.send([snapshotMessage(data)]);
    await until(() => ra.snapshots.length === 1, 'snapshot report');
    expect(ra.snapshots).toEqual([SnapshotStatus.Finish]);
    const snap = rb.received.at(-1);
    expect(snap?.type).toBe(MessageType.MsgSnap);
    expect(snap?.snapshot?.data.byteLength).toBe(data.byteLength);
    expect(snap?.snapshot?.metadata.confState.learners).toEqual([3]);
  });

  it('reports an unreachable or unknown peer instead of blocking', async () => {
    const { a, ra } = await pair();
    a.addPeer(3, '127.0.0.1:1');
    a.send([message({ type: MessageType.MsgHeartbeat, to: 3 })]);
    a.send([message({ type: MessageType.MsgHeartbeat, to: 4 })]);
    expect(ra.unreachable).toContain(4);
    await until(() => ra.unreachable.includes(3), 'unreachable report');
    a.send([snapshotMessage(bytes('s'))].map((m) => ({ ...m, to: 3 })));
    await until(() => ra.snapshots.includes(SnapshotStatus.Failure), 'snapshot failure');
  });

  it('answers ResolveAddress for known members', async () => {
    const { a } = await pair();
    const service = a.service();
    const answer = await new Promise<unknown>((resolve) => {
      const call = { request: { raftId: 2 } } as Parameters<typeof service.resolveAddress>[0];
      service.resolveAddress(call, (error, value) => resolve(error ?? value));
    });
    expect(answer).toMatchObject({ addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });
});

describe('RaftNode over gRPC', () => {
  it('two members on 127.0.0.1 elect a leader and replicate', async () => {
    const random = new SeededRandom(3);
    const transports = [1, 2].map(
      (id) =>
        new GrpcTransport({
          id,
          listen: '127.0.0.1:0',
          timers: systemTimers,
          random: random.fork(),
        }),
    );
    const appliers = [new RecordingApplier(), new RecordingApplier()];
    const nodes = [1, 2].map(
      (id, i) =>
        new RaftNode({
          id,
          peers: [1, 2],
          persistence: new MemoryPersistence(),
          transport: transports[i] as GrpcTransport,
          applier: appliers[i] as RecordingApplier,
          timers: systemTimers,
          random: random.fork(),
          tickMs: 10,
        }),
    );
    try {
      for (const n of nodes) await n.start();
      const [t1, t2] = transports as [GrpcTransport, GrpcTransport];
      t1.addPeer(2, `127.0.0.1:${t2.port}`);
      t2.addPeer(1, `127.0.0.1:${t1.port}`);
      await until(() => nodes.some((n) => n.isLeader), 'a leader');
      const leader = nodes.find((n) => n.isLeader) as RaftNode<number>;
      for (let i = 0; i < 20; i++) await leader.propose(bytes(`g${i}`));
      await until(() => appliers.every((a) => a.applied.length === 20), 'both to apply');
      expect(appliers[0]?.applied).toEqual(appliers[1]?.applied);
    } finally {
      for (const n of nodes) await n.stop();
    }
  });
});
