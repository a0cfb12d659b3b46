// The simulated cluster around the three real loops: nodes and their agents (played by the
// simulation, writing as the dispatcher), the user (scaling, draining), and two replicas of
// each loop on in-process store clients, all on one ManualClock.
import { createAllocatorLoop } from '@shoal/allocator-loop';
import { ManualClock } from '@shoal/clock';
import { createOrchestratorLoop } from '@shoal/orchestrator-loop';
import {
  Node,
  NodeRole,
  NodeSpec_Availability,
  NodeSpec_Membership,
  NodeStatus_State,
  observedTaskState,
  Service,
  TaskState,
  type OwnerName,
  type Task,
} from '@shoal/proto';
import type { Random } from '@shoal/random';
import { createSchedulerLoop } from '@shoal/scheduler-loop';
import type { ClientChange } from '@shoal/store-client';
import type { ControlLoop } from '@shoal/store-controller';
import { LOOP_SIM_LIMITS } from '@shoal/limits';
import { Checker } from './checker';
import { InProcessStore, type InProcessClient } from './in-process-store';

/** LoopKind names one of the three loops. */
export type LoopKind = 'orchestrator' | 'allocator' | 'scheduler';
const LOOP_KINDS: readonly LoopKind[] = ['orchestrator', 'allocator', 'scheduler'];

interface Replica {
  readonly kind: LoopKind;
  readonly loop: ControlLoop;
  readonly client: InProcessClient;
}

/** simId is the n-th deterministic 25-character id with a one-letter tag. */
export function simId(tag: string, n: number): string {
  return '0' + tag + n.toString(36).padStart(23, '0');
}

/** simNode is the n-th READY, ACTIVE worker node (4 CPUs unless told). */
export function simNode(n: number, nanoCpus: number = LOOP_SIM_LIMITS.nodeNanoCpus): Node {
  const id = simId('n', n);
  return Node.fromPartial({
    id,
    spec: { annotations: { name: `node-${n}`, labels: {} }, desiredRole: NodeRole.WORKER,
      membership: NodeSpec_Membership.ACCEPTED, availability: NodeSpec_Availability.ACTIVE },
    role: NodeRole.WORKER,
    status: { state: NodeStatus_State.READY, message: '', addr: '10.0.0.1' },
    description: { hostname: `host-${n}`, resources: { nanoCpus, memoryBytes: 8 * 2 ** 30 },
      engine: { engineVersion: '27.0.0', labels: {}, plugins: [] } },
  });
}

function simService(n: number, replicas: number | undefined, nanoCpus: number): Service {
  return Service.fromPartial({
    id: simId('s', n),
    spec: {
      annotations: { name: replicas === undefined ? `global${n}` : `svc${n}`, labels: {} },
      task: { runtime: { $case: 'container', container: { image: 'busybox' } },
        resources: { reservations: { nanoCpus } } },
      mode: replicas === undefined ? { $case: 'global', global: {} }
        : { $case: 'replicated', replicated: { replicas } },
      endpoint: { ports: n === 1 ? [{ targetPort: 80 }] : [] },
      // Updates of ~100 replicas one slot at a time would outlast the convergence bound.
      update: { parallelism: LOOP_SIM_LIMITS.updateParallelism },
    },
    specVersion: { index: 1 },
  });
}

/** WorldOptions size one simulated cluster. */
export interface WorldOptions {
  readonly nodes: number;
  readonly services: number;
  /** Odds that an agent moves a task on in one step (default LOOP_SIM_LIMITS). */
  readonly agentActProbability?: number;
  /** Tasks the agents fail at start instead of running them (scenario tests). */
  readonly failAtStart?: (task: Task) => boolean;
}

/**
 * World is one simulated cluster. Nothing in it reads the wall clock or Math.random: time is
 * the ManualClock, choices come from the seeded Random, so a seed replays exactly.
 */
export class World {
  readonly clock = new ManualClock(LOOP_SIM_LIMITS.startMs);
  readonly shared = new InProcessStore(this.clock);
  readonly checker = new Checker(this.shared.store);
  /** Nodes whose machine crashed (DOWN, containers gone). */
  readonly crashed = new Set<string>();
  readonly replicas: Replica[] = [];
  private nextTaskId = 1;
  private nextHolder = 1;

  /** The constructor takes the seeded source of every choice. */
  constructor(readonly random: Random, readonly options: WorldOptions) {}

  /** setup writes the nodes and services and starts two replicas of each loop. */
  async setup(): Promise<void> {
    const nodes = Array.from({ length: this.options.nodes }, (_, i) => simNode(i + 1));
    await this.write('ca', nodes.map((object): ClientChange => ({ action: 'create', kind: 'node', object })));
    const services: Service[] = [simService(0, undefined, 0)];
    const perService = Math.floor((this.options.nodes * LOOP_SIM_LIMITS.tasksPerNode) / this.options.services);
    for (let i = 1; i <= this.options.services; i++) {
      const cpu = LOOP_SIM_LIMITS.reservationChoices[this.random.int(0, LOOP_SIM_LIMITS.reservationChoices.length)] as number;
      services.push(simService(i, this.random.int(1, perService + 1), cpu));
    }
    await this.write('user', services.map((object): ClientChange => ({ action: 'create', kind: 'service', object })));
    for (const kind of LOOP_KINDS) {
      this.startReplica(kind);
      this.startReplica(kind);
    }
  }

  /** startReplica starts one more replica of a loop on its own client. */
  startReplica(kind: LoopKind): void {
    const client = this.shared.client();
    const common = { store: client, holder: `${kind}-${this.nextHolder++}`, clock: this.clock,
      timers: this.clock, leaseTtlMs: LOOP_SIM_LIMITS.leaseTtlMs };
    const loop = kind === 'orchestrator'
      ? createOrchestratorLoop({ ...common, ids: () => simId('t', this.nextTaskId++) })
      : kind === 'allocator' ? createAllocatorLoop(common) : createSchedulerLoop(common);
    loop.start();
    this.replicas.push({ kind, loop, client });
  }

  /** killActive crashes the active replica of `kind` (no resign) and starts a new standby. */
  killActive(kind: LoopKind): boolean {
    const index = this.replicas.findIndex((r) => r.kind === kind && r.loop.stats.active);
    if (index < 0) return false;
    const [victim] = this.replicas.splice(index, 1);
    victim?.client.kill();
    this.startReplica(kind);
    return true;
  }

  /**
   * killActiveAfter crashes the active replica of `kind` right after a commit for which
   * `when(changes)` holds (mid-pass), and starts a new standby; false if none is active.
   */
  killActiveAfter(kind: LoopKind, when: (changes: readonly ClientChange[]) => boolean): boolean {
    const victim = this.replicas.find((r) => r.kind === kind && r.loop.stats.active);
    if (victim === undefined) return false;
    victim.client.afterCommit = (changes) => {
      if (!when(changes) || !this.replicas.includes(victim)) return;
      this.replicas.splice(this.replicas.indexOf(victim), 1);
      victim.client.kill();
      this.startReplica(kind);
    };
    return true;
  }

  /** write commits changes as `writer` in transactions of the store's maximum size. */
  async write(writer: OwnerName, changes: readonly ClientChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += LOOP_SIM_LIMITS.changesPerWrite) {
      await this.shared.commit(changes.slice(i, i + LOOP_SIM_LIMITS.changesPerWrite), writer);
    }
  }

  /**
   * runAgents plays every live node's agent once: an assigned task that may run is reported
   * RUNNING (or, rarely, FAILED to start); a task asked to stop is reported SHUTDOWN.
   */
  async runAgents(failStartProbability: number): Promise<void> {
    const changes: ClientChange[] = [];
    for (const t of this.checker.tasks.values()) {
      if (t.nodeId === '' || this.crashed.has(t.nodeId)) continue;
      const next = this.agentStep(t, failStartProbability);
      if (next !== undefined) changes.push(this.report(t, next));
    }
    await this.write('dispatcher', changes);
  }

  private agentStep(t: Task, failStartProbability: number): TaskState | undefined {
    const observed = observedTaskState(t);
    if (observed < TaskState.ASSIGNED || observed > TaskState.RUNNING) return undefined;
    // Containers take a while to start and to stop: a task moves on one step in a few.
    const odds = this.options.agentActProbability ?? LOOP_SIM_LIMITS.agentActProbability;
    if (odds < 1 && this.random.float() >= odds) return undefined;
    if (t.desiredState >= TaskState.SHUTDOWN) return TaskState.SHUTDOWN;
    if (t.desiredState !== TaskState.RUNNING || observed === TaskState.RUNNING) return undefined;
    if (this.options.failAtStart?.(t) === true) return TaskState.FAILED;
    return this.random.float() < failStartProbability ? TaskState.FAILED : TaskState.RUNNING;
  }

  /** report is the dispatcher's write of an agent's status for `t`. */
  report(t: Task, state: TaskState): ClientChange {
    const at = new Date(this.clock.now());
    const status = { timestamp: at, state, message: state === TaskState.FAILED ? 'simulated failure' : '',
      err: state === TaskState.FAILED ? 'exit 137' : '', appliedBy: 'sim', appliedAt: at };
    return { action: 'update', kind: 'task', object: { ...t, status } };
  }

  /** setNodeState writes a node's status as the dispatcher. */
  async setNodeState(nodeId: string, state: NodeStatus_State): Promise<void> {
    this.checker.sync();
    const node = this.checker.nodes.get(nodeId);
    if (node === undefined) return;
    await this.write('dispatcher', [{ action: 'update', kind: 'node',
      object: { ...node, status: { state, message: '', addr: node.status?.addr ?? '' } } }]);
  }

  /** setAvailability writes a node's availability as the user (drain, activate). */
  async setAvailability(nodeId: string, availability: NodeSpec_Availability): Promise<void> {
    this.checker.sync();
    const node = this.checker.nodes.get(nodeId);
    if (node?.spec === undefined) return;
    await this.write('user', [{ action: 'update', kind: 'node',
      object: { ...node, spec: { ...node.spec, availability } } }]);
  }

  /** startLoops starts `perKind` replicas of each loop. */
  startLoops(perKind = 2): void {
    for (const kind of LOOP_KINDS) for (let i = 0; i < perKind; i++) this.startReplica(kind);
  }

  /** runFor lets `ms` of virtual time pass in steps, the agents acting once per step. */
  async runFor(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.checker.sync();
      await this.runAgents(0);
      await this.advance(Math.min(LOOP_SIM_LIMITS.tickMs * LOOP_SIM_LIMITS.ticksPerStep, end - this.clock.now()));
      this.checker.sync();
      this.checker.check(this.crashed);
    }
  }

  /**
   * advance lets `ms` of virtual time pass, a tick at a time while timers are due, straight to
   * the next timer while none is; every microtask runs after each move (no real I/O happens
   * in the simulation, so a flush settles everything).
   */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      const now = this.clock.now();
      const due = this.clock.nextTimerDueMs() ?? end;
      const target = due <= now + LOOP_SIM_LIMITS.tickMs ? now + LOOP_SIM_LIMITS.tickMs : due;
      this.clock.advance(Math.min(end, target) - now);
      await flush();
    }
  }

  /** tasksOf lists a service's tasks as the store holds them, by slot then creation. */
  tasksOf(serviceId: string): Task[] {
    this.checker.sync();
    return [...this.checker.tasks.values()].filter((t) => t.serviceId === serviceId)
      .sort((a, b) => a.slot - b.slot || (a.meta?.createdAt?.getTime() ?? 0) - (b.meta?.createdAt?.getTime() ?? 0));
  }

  /** stopAll stops every live replica (the end of a run). */
  async stopAll(): Promise<void> {
    const stopping = this.replicas.map((r) => r.loop.stop());
    for (let i = 0; i < LOOP_SIM_LIMITS.stopFlushRounds; i++) {
      this.clock.advance(LOOP_SIM_LIMITS.tickMs);
      await flush();
    }
    await Promise.all(stopping);
  }
}

/** flush lets every pending microtask run (there is no real I/O in the simulation). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
