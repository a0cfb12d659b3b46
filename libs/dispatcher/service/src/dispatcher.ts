// The dispatcher: agent sessions, heartbeats, assignment streams and status reports, over an
// informer of nodes, tasks, secrets and configs. Each replica serves its own sessions; see
// docs/design/dispatcher.md.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { assert } from '@shoal/assert';
import type { Clock, TimerHandle, Timers } from '@shoal/clock';
import { AssignmentSet, HeartbeatTracker, RegistrationLimiter, validateStatus, type StatusVerdict } from '@shoal/dispatcher-core';
import { ShoalError } from '@shoal/errors';
import { newId } from '@shoal/ids';
import { DISPATCHER_LIMITS, type DispatcherLimits } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { Metrics } from '@shoal/metrics';
import {
  durationFromMs,
  durationToMs,
  NodeStatus_State,
  type Cluster,
  type AssignmentsRequest,
  type AssignmentsResponse,
  type HeartbeatResponse,
  type Node,
  type NodeDescription,
  type SessionRequest,
  type SessionResponse,
  type Task,
  type UnwrappedStoredObject,
  type UpdateTaskStatusRequest,
  type WeightedPeer,
} from '@shoal/proto';
import type { Random } from '@shoal/random';
import { systemTimers } from '@shoal/runtime';
import { createInformer, type Informer, type StoreClient } from '@shoal/store-client';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics';
import { StoreWriter } from './store-writer';
import { NodeSweeper } from './sweeper';
import { endWithError, isOpen, onStreamGone } from './streams';

/** DispatcherOptions configure one dispatcher replica. */
export interface DispatcherOptions {
  readonly client: StoreClient;
  /** This replica's ID: stamped in TaskStatus.applied_by and in the READY node message. */
  readonly dispatcherId: string;
  readonly clock: Clock;
  /** Drive the tick loop (heartbeat expiry, batch flushes). */
  readonly timers: Timers;
  /** Drive the informer's relist backoff and sync wait (default: system timers). */
  readonly ioTimers?: Timers;
  readonly random: Random;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** PEM root CA sent in the first session message (empty = none). */
  readonly rootCa?: Buffer;
  /** Managers (dispatcher addresses) agents may connect to. */
  readonly managers?: readonly WeightedPeer[];
  /** Overrides of DISPATCHER_LIMITS (tests shorten the heartbeat period). */
  readonly limits?: Partial<DispatcherLimits>;
  /**
   * Whether this replica takes part in sweeping nodes whose dispatcher died (liveness lease,
   * sweeper lease); default true.
   */
  readonly sweeper?: boolean;
}

/** Session is one node's registered session on this replica. */
interface Session {
  readonly id: string;
  readonly nodeId: string;
  readonly streams: Set<ServerWritableStream<SessionRequest, SessionResponse>>;
  readonly assignments: Map<ServerWritableStream<AssignmentsRequest, AssignmentsResponse>, AssignmentSet>;
  /** Ms when the next beat is expected (for the lag metric). */
  expectedBeatMs: number;
}

/** READY_MESSAGE_PREFIX starts Node.status.message of READY nodes: the session holder follows. */
export const READY_MESSAGE_PREFIX = 'session on dispatcher ';

/** HEARTBEAT_FAILURE is Node.status.message of a node marked DOWN for missed heartbeats. */
export const HEARTBEAT_FAILURE = 'heartbeat failure';

/** DISCONNECTED_MESSAGE is set when this replica stops while holding the node's session. */
export const DISCONNECTED_MESSAGE = 'node is currently trying to find new manager';

/**
 * Dispatcher serves the worker-facing API for the sessions this replica holds. Contract:
 * `start()` runs the informer and the tick loop; handlers refuse with UNAVAILABLE until the
 * first list is in; `stop()` ends every stream UNAVAILABLE, marks its nodes DISCONNECTED and
 * writes what is queued. Node.status/description and Task.status are written as `dispatcher`.
 */
export class Dispatcher {
  readonly limits: DispatcherLimits;
  readonly metrics: DispatcherMetrics;
  private readonly informer: Informer;
  private readonly tracker: HeartbeatTracker;
  private readonly limiter: RegistrationLimiter;
  private readonly writer: StoreWriter;
  private readonly sessions = new Map<string, Session>();
  private readonly tasksByNode = new Map<string, Map<string, Task>>();
  private readonly abort = new AbortController();
  private timer: TimerHandle | undefined;
  /** The one-shot wake that flushes batches soon after something was queued. */
  private flushTimer: TimerHandle | undefined;
  /** Nodes whose assignment sets got changes since their last message. */
  private readonly dirtyNodes = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly sweeper: NodeSweeper | undefined;
  private nextSweepMs = 0;
  private lastTickMs: number | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.limits = { ...DISPATCHER_LIMITS, ...options.limits };
    this.metrics = dispatcherMetrics(options.metrics);
    this.tracker = new HeartbeatTracker(this.limits, options.random);
    this.limiter = new RegistrationLimiter(this.limits);
    this.informer = createInformer({ client: options.client, kinds: ['node', 'task', 'secret', 'config', 'cluster'],
      timers: options.ioTimers ?? systemTimers, logger: options.logger.child({ component: 'informer' }) });
    this.informer.addHandlers({
      onAdd: (_k, o) => this.observe(undefined, o),
      onUpdate: (_k, old, o) => this.observe(old, o),
      onDelete: (_k, o) => this.forget(o),
    });
    this.writer = new StoreWriter({ client: options.client, clock: options.clock, logger: options.logger,
      metrics: this.metrics, dispatcherId: options.dispatcherId,
      cachedTask: (id) => this.informer.get('task', id), cachedNode: (id) => this.informer.get('node', id) });
    this.sweeper = options.sweeper === false ? undefined : this.makeSweeper();
  }

  private makeSweeper(): NodeSweeper {
    const o = this.options;
    return new NodeSweeper({
      client: o.client, dispatcherId: o.dispatcherId, clock: o.clock, timers: o.ioTimers ?? systemTimers,
      random: o.random, logger: o.logger, limits: this.limits,
      nodes: () => this.informer.list('node'),
      tasksOf: (nodeId) => this.tasksByNode.get(nodeId)?.values() ?? [],
      holds: (nodeId) => this.sessions.has(nodeId),
      queueTaskStatus: (task, state, message) => this.writer.queueTask(task.id, { nodeId: task.nodeId,
        status: { state, message, err: '', appliedBy: '', timestamp: new Date(o.clock.now()) } }),
      queueDown: (nodeId, seen) => {
        this.metrics.nodesDown.inc();
        this.writer.queueNode(nodeId, { status: this.nodeStatus(nodeId, NodeStatus_State.DOWN, HEARTBEAT_FAILURE), onlyIf: seen });
      },
    }, READY_MESSAGE_PREFIX, HEARTBEAT_FAILURE);
  }

  /** sweeping reports whether this replica holds the sweeper lease now. */
  get sweeping(): boolean {
    return this.sweeper?.isLeading ?? false;
  }

  /** heartbeatPeriodMs is the current heartbeat period (the cluster's, or the default). */
  get heartbeatPeriodMs(): number {
    return this.tracker.period;
  }

  /**
   * start runs the informer and the tick loop; resolves true once the first list is in, or
   * false if the dispatcher was stopped first.
   */
  async start(): Promise<boolean> {
    assert(this.running === undefined, 'a dispatcher starts once');
    this.running = Promise.all([this.informer.run(this.abort.signal), this.sweeper?.run(this.abort.signal)])
      .then(() => undefined);
    this.schedule();
    return this.informer.waitForSync(this.abort.signal);
  }

  /** stop ends every stream, marks held nodes DISCONNECTED and flushes queued writes. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    if (this.flushTimer !== undefined) this.options.timers.clearTimeout(this.flushTimer);
    for (const session of [...this.sessions.values()]) {
      this.writer.queueNode(session.nodeId, { status: this.nodeStatus(session.nodeId, NodeStatus_State.DISCONNECTED, DISCONNECTED_MESSAGE) });
      this.closeSession(session, ShoalError.unavailable('the dispatcher is stopping'));
    }
    await this.writer.flushDue(true);
    this.abort.abort();
    await this.running;
  }

  /** synced reports whether the informer's first list is in. */
  get synced(): boolean {
    return this.informer.hasSynced();
  }

  /** sessionCount is the number of sessions this replica holds. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * openSession registers the node (or resumes its session) and attaches the stream; the first
   * message goes out at once. Throws UNAVAILABLE (starting, rate limit, too many sessions) or
   * NOT_FOUND (node not in the store).
   */
  openSession(nodeId: string, request: SessionRequest, addr: string,
    call: ServerWritableStream<SessionRequest, SessionResponse>): void {
    this.requireSynced();
    let session = this.sessions.get(nodeId);
    if (session === undefined || request.sessionId === '' || request.sessionId !== session.id) {
      session = this.register(nodeId, request.description, addr);
    }
    const held = session;
    held.streams.add(call);
    onStreamGone(call, () => held.streams.delete(call));
    call.write(this.sessionMessage(held, this.informer.get('node', nodeId)));
  }

  /** heartbeat extends the session's TTL and returns the next period. */
  heartbeat(nodeId: string, sessionId: string): HeartbeatResponse {
    const session = this.requireSession(nodeId, sessionId);
    const now = this.options.clock.now();
    const period = this.tracker.beat(nodeId, now);
    if (period === undefined) throw new ShoalError('NOT_FOUND', 'node not registered');
    this.metrics.heartbeats.inc();
    this.metrics.heartbeatLagSeconds.observe((now - session.expectedBeatMs) / 1000);
    session.expectedBeatMs = now + period;
    return { period: durationFromMs(period) };
  }

  /**
   * updateTaskStatus validates every update (PERMISSION_DENIED for the whole request if one
   * names another node's task) and queues the accepted ones for the batched write.
   */
  updateTaskStatus(nodeId: string, request: UpdateTaskStatusRequest): void {
    this.requireSession(nodeId, request.sessionId);
    if (request.updates.length > this.limits.updatesPerRequestMax) {
      throw ShoalError.invalidArgument(`at most ${this.limits.updatesPerRequestMax} updates per request`);
    }
    const judged = request.updates.map((u) => {
      if (u.status === undefined) throw ShoalError.invalidArgument(`update of task ${u.taskId} has no status`);
      return { u, status: u.status, verdict: this.judge(nodeId, u.taskId, u.status.state, validateStatus(nodeId, this.informer.get('task', u.taskId), u.status)) };
    });
    const denied = judged.find((j) => j.verdict === 'denied');
    if (denied !== undefined) {
      this.metrics.statusUpdates.inc({ verdict: 'denied' });
      throw ShoalError.permissionDenied(`task ${denied.u.taskId} is not assigned to node ${nodeId}`);
    }
    for (const j of judged) {
      this.metrics.statusUpdates.inc({ verdict: j.verdict });
      if (j.verdict === 'accept') this.writer.queueTask(j.u.taskId, { nodeId, status: j.status });
      else if (j.verdict === 'backward') this.options.logger.info({ nodeId, taskId: j.u.taskId }, 'backward task status dropped');
    }
    this.flushSoon();
  }

  /** openAssignments attaches an Assignments stream: COMPLETE now, INCREMENTAL on the tick. */
  openAssignments(nodeId: string, request: AssignmentsRequest,
    call: ServerWritableStream<AssignmentsRequest, AssignmentsResponse>): void {
    const session = this.requireSession(nodeId, request.sessionId);
    const set = new AssignmentSet(nodeId, {
      secret: (id) => this.informer.get('secret', id),
      config: (id) => this.informer.get('config', id),
    }, this.limits);
    const tasks = [...(this.tasksByNode.get(nodeId)?.values() ?? [])];
    const first = set.complete(tasks, this.options.clock.now());
    session.assignments.set(call, set);
    this.metrics.assignmentStreams.inc();
    onStreamGone(call, () => {
      if (session.assignments.delete(call)) this.metrics.assignmentStreams.dec();
    });
    this.metrics.assignmentBatchChanges.observe(first.changes.length);
    call.write(first);
  }

  /** tick expires heartbeats, sends due assignment batches and writes due status batches. */
  tick(): void {
    const now = this.options.clock.now();
    this.compensateStall(now);
    for (const expired of this.tracker.expire(now)) this.expire(expired.nodeId);
    // The safety net: every session's due batch, whether or not a wake is armed for it.
    for (const session of this.sessions.values()) this.sendDue(session, now);
    this.flushBatches(now);
    this.limiter.prune(now);
    if (now >= this.nextSweepMs) {
      this.nextSweepMs = now + this.limits.sweepIntervalMs;
      this.sweeper?.sweep(now);
      this.countNodes();
    }
  }

  /**
   * flushSoon arms one wake, a batch interval from now, that sends what is due: a burst of
   * changes rides one message and one write, yet nothing waits for the next tick.
   */
  private flushSoon(): void {
    if (this.flushTimer !== undefined || this.abort.signal.aborted) return;
    const delayMs = Math.min(this.limits.statusBatchIntervalMs, this.limits.assignmentBatchWaitMs);
    this.flushTimer = this.options.timers.setTimeout(() => {
      this.flushTimer = undefined;
      if (!this.abort.signal.aborted) this.flushBatches(this.options.clock.now());
    }, delayMs);
  }

  /** sendDue sends each due assignment batch of `session`; returns whether changes still wait. */
  private sendDue(session: Session, now: number): boolean {
    let waiting = false;
    for (const [call, set] of session.assignments) {
      if (!set.due(now)) {
        waiting ||= set.pendingChanges > 0;
        continue;
      }
      const message = set.flush();
      if (message === undefined || !isOpen(call)) continue;
      this.metrics.assignmentBatchChanges.observe(message.changes.length);
      call.write(message);
    }
    return waiting;
  }

  /** flushBatches sends the due assignment messages of changed nodes and writes due statuses. */
  private flushBatches(now: number): void {
    for (const nodeId of this.dirtyNodes) {
      const session = this.sessions.get(nodeId);
      if (session === undefined || !this.sendDue(session, now)) this.dirtyNodes.delete(nodeId);
    }
    if (this.dirtyNodes.size > 0) this.flushSoon();
    void this.writer.flushDue()
      .then(() => { if (this.writer.pending > 0) this.flushSoon(); })
      .catch((err: unknown) => this.options.logger.error({ err }, 'status flush failed'));
  }

  /**
   * compensateStall postpones every heartbeat deadline by how late this tick is beyond
   * `stallToleranceMs`: when the dispatcher itself did not run (event loop blocked, process
   * starved of CPU), the agents' beats wait unread, and expiring them would mark live nodes DOWN.
   */
  private compensateStall(now: number): void {
    const last = this.lastTickMs;
    this.lastTickMs = now;
    if (last === undefined) return;
    const late = now - last - this.limits.tickIntervalMs;
    if (late < this.limits.stallToleranceMs) return;
    this.tracker.postpone(late);
    this.sweeper?.postpone(late);
    this.metrics.stalls.inc();
    this.options.logger.warn({ lateMs: late }, 'the dispatcher stalled: heartbeat deadlines postponed');
  }

  /** flush writes every queued status now (tests, shutdown). */
  flush(): Promise<void> {
    return this.writer.flushDue(true);
  }

  private schedule(): void {
    this.timer = this.options.timers.setTimeout(() => {
      if (this.abort.signal.aborted) return;
      try {
        this.tick();
      } finally {
        this.schedule();
      }
    }, this.limits.tickIntervalMs);
  }

  private judge(nodeId: string, taskId: string, state: number, verdict: StatusVerdict): StatusVerdict {
    if (verdict !== 'accept') return verdict;
    const pending = this.writer.pendingTask(taskId);
    return pending !== undefined && pending.nodeId === nodeId && pending.status.state > state ? 'backward' : verdict;
  }

  private requireSynced(): void {
    if (!this.informer.hasSynced()) throw ShoalError.unavailable('the dispatcher is starting');
  }

  private requireSession(nodeId: string, sessionId: string): Session {
    this.requireSynced();
    const session = this.sessions.get(nodeId);
    if (session === undefined) throw new ShoalError('NOT_FOUND', 'node not registered');
    if (session.id !== sessionId) throw new ShoalError('NOT_FOUND', 'session invalid');
    return session;
  }

  private register(nodeId: string, description: NodeDescription | undefined, addr: string): Session {
    const now = this.options.clock.now();
    if (!this.limiter.allow(nodeId, now)) {
      this.metrics.registrations.inc({ outcome: 'rate-limited' });
      throw ShoalError.unavailable(`node ${nodeId} registered too often: retry later`);
    }
    if (this.informer.get('node', nodeId) === undefined) {
      this.metrics.registrations.inc({ outcome: 'unknown-node' });
      throw ShoalError.notFound('node', nodeId);
    }
    const old = this.sessions.get(nodeId);
    if (old === undefined && this.sessions.size >= this.limits.sessionsMax) {
      throw ShoalError.unavailable('this dispatcher holds its maximum of sessions');
    }
    if (old !== undefined) this.closeSession(old, new ShoalError('NOT_FOUND', 'session replaced by a new registration'));
    const period = this.tracker.register(nodeId, now);
    const session: Session = { id: newId(this.options.random), nodeId, streams: new Set(), assignments: new Map(),
      expectedBeatMs: now + period };
    this.sessions.set(nodeId, session);
    this.metrics.sessions.set(this.sessions.size);
    this.metrics.registrations.inc({ outcome: 'registered' });
    const status = { state: NodeStatus_State.READY, message: READY_MESSAGE_PREFIX + this.options.dispatcherId, addr };
    this.writer.queueNode(nodeId, description === undefined ? { status } : { status, description });
    this.options.logger.info({ nodeId, addr }, 'node registered');
    return session;
  }

  private expire(nodeId: string): void {
    const session = this.sessions.get(nodeId);
    if (session !== undefined) this.closeSession(session, new ShoalError('NOT_FOUND', 'session expired: heartbeat failure'));
    this.writer.queueNode(nodeId, { status: this.nodeStatus(nodeId, NodeStatus_State.DOWN, HEARTBEAT_FAILURE) });
    this.metrics.nodesDown.inc();
    this.options.logger.warn({ nodeId }, 'node DOWN: heartbeat failure');
  }

  private nodeStatus(nodeId: string, state: NodeStatus_State, message: string): { state: NodeStatus_State; message: string; addr: string } {
    return { state, message, addr: this.informer.get('node', nodeId)?.status?.addr ?? '' };
  }

  private closeSession(session: Session, reason: ShoalError): void {
    if (this.sessions.get(session.nodeId) === session) this.sessions.delete(session.nodeId);
    this.tracker.remove(session.nodeId);
    for (const call of session.streams) endWithError(call, reason);
    for (const call of session.assignments.keys()) endWithError(call, reason);
    this.metrics.sessions.set(this.sessions.size);
  }

  private sessionMessage(session: Session, node: Node | undefined): SessionResponse {
    return { sessionId: session.id, node, managers: [...(this.options.managers ?? [])],
      networkBootstrapKeys: [], rootCa: this.options.rootCa ?? Buffer.alloc(0) };
  }

  private observe(old: UnwrappedStoredObject | undefined, o: UnwrappedStoredObject): void {
    if (o.kind === 'task') this.observeTask(old?.kind === 'task' ? old.object : undefined, o.object);
    else if (o.kind === 'node') this.observeNode(o.object);
    else if (o.kind === 'cluster') this.observeCluster(o.object);
  }

  /** observeCluster follows `spec.dispatcher.heartbeat_period` (unset: the default). */
  private observeCluster(cluster: Cluster): void {
    const configured = cluster.spec?.dispatcher?.heartbeatPeriod;
    const ms = configured === undefined ? 0 : durationToMs(configured);
    const period = ms > 0 ? ms : this.limits.heartbeatPeriodMs;
    if (period === this.tracker.period) return;
    this.tracker.setPeriodMs(period);
    this.sweeper?.setPeriodMs(period);
    this.options.logger.info({ periodMs: period }, 'heartbeat period from the cluster object');
  }

  /** countNodes sets `dispatcher_nodes{state}` from the informer. */
  private countNodes(): void {
    const counts = new Map<string, number>();
    for (const s of Object.values(NodeStatus_State)) if (typeof s === 'string' && s !== 'UNRECOGNIZED') counts.set(s, 0);
    for (const node of this.informer.list('node')) {
      const name = NodeStatus_State[node.status?.state ?? NodeStatus_State.UNKNOWN] ?? 'UNKNOWN';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const [state, n] of counts) this.metrics.nodesByState.set({ state }, n);
  }

  private forget(o: UnwrappedStoredObject): void {
    if (o.kind === 'task') this.dropTask(o.object);
    if (o.kind !== 'node') return;
    const session = this.sessions.get(o.object.id);
    if (session !== undefined) this.closeSession(session, ShoalError.notFound('node', o.object.id));
  }

  private observeTask(old: Task | undefined, task: Task): void {
    if (old !== undefined && old.nodeId !== task.nodeId) this.dropTask(old);
    if (task.nodeId === '') return;
    let tasks = this.tasksByNode.get(task.nodeId);
    if (tasks === undefined) this.tasksByNode.set(task.nodeId, (tasks = new Map()));
    tasks.set(task.id, task);
    const now = this.options.clock.now();
    for (const set of this.sessions.get(task.nodeId)?.assignments.values() ?? []) set.updateTask(task, now);
    this.assignmentsChanged(task.nodeId);
  }

  private assignmentsChanged(nodeId: string): void {
    if (!this.sessions.has(nodeId)) return;
    this.dirtyNodes.add(nodeId);
    this.flushSoon();
  }

  private dropTask(task: Task): void {
    const tasks = this.tasksByNode.get(task.nodeId);
    if (tasks === undefined || !tasks.delete(task.id)) return;
    if (tasks.size === 0) this.tasksByNode.delete(task.nodeId);
    const now = this.options.clock.now();
    for (const set of this.sessions.get(task.nodeId)?.assignments.values() ?? []) set.removeTask(task.id, now);
    this.assignmentsChanged(task.nodeId);
  }

  private observeNode(node: Node): void {
    const session = this.sessions.get(node.id);
    if (session === undefined) return;
    for (const call of session.streams) if (isOpen(call)) call.write(this.sessionMessage(session, node));
  }
}
