// Goal: ingress published ports are allocated as SwarmKit's port allocator does: user-chosen
// ports are checked against every other service's, port 0 gets the lowest free port of
// 30000-32767 and keeps it across reallocations, host-mode ports are not claimed, and a
// service's ports are released when it goes. Method: table-driven cases over a PortSpace
// seeded with other services' allocations; plus the task hand-off helpers.
import {
  PortConfig_Protocol as Protocol,
  PortConfig_PublishMode as Mode,
  Service,
  Task,
  TaskState,
  type PortConfig,
} from '@shoal/proto';
import { ALLOCATION_ERRORS, allocateEndpoint } from './allocate-endpoint';
import { needsAllocation, PortSpace } from './port-space';
import { allocatedTask, failedTask, isAwaitingAllocation, PENDING_MESSAGE } from './task-handoff';

function port(target: number, published = 0, mode = Mode.INGRESS, protocol = Protocol.TCP): PortConfig {
  return { name: '', protocol, targetPort: target, publishedPort: published, publishMode: mode };
}

function service(id: string, ports: PortConfig[]): Service {
  return Service.fromPartial({ id, spec: { annotations: { name: id }, endpoint: { ports } } });
}

function spaceWith(claims: Record<string, PortConfig[]>): PortSpace {
  const space = new PortSpace();
  for (const [id, ports] of Object.entries(claims)) space.adopt(id, { ports, virtualIps: [] });
  return space;
}

interface Case {
  readonly name: string;
  readonly others: Record<string, PortConfig[]>;
  readonly ports: PortConfig[];
  readonly want: number[] | string;
}

const CASES: Case[] = [
  { name: 'a free user-chosen port is granted', others: {}, ports: [port(80, 8080)], want: [8080] },
  { name: 'a user-chosen port another service holds is refused',
    others: { other: [port(80, 8080)] }, ports: [port(80, 8080)],
    want: ALLOCATION_ERRORS.inUse(8080, 'other') },
  { name: 'the same number on another protocol is free',
    others: { other: [port(80, 8080)] }, ports: [port(53, 8080, Mode.INGRESS, Protocol.UDP)], want: [8080] },
  { name: 'port 0 gets the lowest free dynamic port', others: { other: [port(80, 30000)] },
    ports: [port(80), port(81)], want: [30001, 30002] },
  { name: 'user-chosen ports are taken before dynamic ones', others: {},
    ports: [port(80), port(81, 30000)], want: [30001, 30000] },
  { name: 'a port published twice is refused', others: {}, ports: [port(80, 9000), port(81, 9000)],
    want: ALLOCATION_ERRORS.duplicate(9000) },
  { name: 'host-mode ports are copied and never conflict',
    others: { other: [port(80, 8080)] }, ports: [port(80, 8080, Mode.HOST)], want: [8080] },
];

describe('allocateEndpoint', () => {
  it.each(CASES)('$name', ({ others, ports, want }) => {
    const space = spaceWith(others);
    const before = space.size;
    const result = allocateEndpoint(space, service('svc', ports));
    if (typeof want === 'string') {
      expect(result).toEqual({ ok: false, error: want });
      expect(space.size).toBe(before);
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.endpoint?.ports.map((p) => p.publishedPort)).toEqual(want);
  });

  it('keeps a dynamic port across a reallocation and releases it when the service goes', () => {
    const space = new PortSpace();
    const first = allocateEndpoint(space, service('a', [port(80)]));
    expect(first.ok && first.endpoint?.ports[0]?.publishedPort).toBe(30000);
    const stored = { ...service('a', [port(80), port(443)]), endpoint: first.ok ? first.endpoint : undefined };
    expect(needsAllocation(stored)).toBe(true);
    const again = allocateEndpoint(space, stored);
    expect(again.ok && again.endpoint?.ports.map((p) => p.publishedPort)).toEqual([30000, 30001]);
    expect(needsAllocation({ ...stored, endpoint: again.ok ? again.endpoint : undefined })).toBe(false);
    space.release('a');
    expect(space.size).toBe(0);
    const other = allocateEndpoint(space, service('b', [port(80)]));
    expect(other.ok && other.endpoint?.ports[0]?.publishedPort).toBe(30000);
  });

  it('stores no endpoint for a default endpoint spec (VIP, no ports), which is never re-allocated', () => {
    const space = new PortSpace();
    const plain = service('plain', []);
    expect(allocateEndpoint(space, plain)).toEqual({ ok: true, endpoint: undefined });
    // The store drops an all-default message: what reads back is no endpoint, which is final.
    expect(needsAllocation(plain)).toBe(false);
    const held = allocateEndpoint(space, service('plain', [port(80)]));
    const shrunk = { ...plain, endpoint: held.ok ? held.endpoint : undefined };
    expect(needsAllocation(shrunk)).toBe(true);
    expect(allocateEndpoint(space, shrunk)).toEqual({ ok: true, endpoint: undefined });
    expect(space.size).toBe(0);
  });

  it('reports exhaustion of the dynamic range', () => {
    const space = new PortSpace();
    const all = Array.from({ length: 32767 - 30000 + 1 }, (_, i) => port(80, 30000 + i));
    space.adopt('hog', { ports: all, virtualIps: [] });
    expect(allocateEndpoint(space, service('b', [port(80)]))).toEqual({ ok: false, error: ALLOCATION_ERRORS.exhausted });
  });
});

describe('task hand-off', () => {
  const task = Task.fromPartial({ id: 't', desiredState: TaskState.RUNNING });
  it('a NEW, wanted task awaits allocation; a PENDING or unwanted one does not', () => {
    expect(isAwaitingAllocation(task)).toBe(true);
    expect(isAwaitingAllocation({ ...task, desiredState: TaskState.SHUTDOWN })).toBe(false);
    expect(isAwaitingAllocation(allocatedTask(task, undefined, 0))).toBe(false);
  });
  it('the vote is PENDING "pending task scheduling"', () => {
    expect(allocatedTask(task, undefined, 5).allocatorStatus).toMatchObject({
      state: TaskState.PENDING, message: PENDING_MESSAGE, err: '' });
  });
  it('a failure is written once', () => {
    const failed = failedTask(task, 'boom', 1) as Task;
    expect(failed.allocatorStatus).toMatchObject({ state: TaskState.NEW, err: 'boom' });
    expect(failedTask(failed, 'boom', 2)).toBeUndefined();
  });
});
