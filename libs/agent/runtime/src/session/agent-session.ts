// The agent's session loop (SwarmKit agent/agent.go): keep one dispatcher session open, fail
// over to the next dispatcher with a jittered, growing backoff when it ends.
import type { Metadata } from '@grpc/grpc-js';
import type { Clock, Timers } from '@shoal/clock';
import { AGENT_SESSION_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import type { NodeDescription, SessionResponse } from '@shoal/proto';
import type { DispatcherClient } from '@shoal/proto-grpc';
import type { Random } from '@shoal/random';
import { runDispatcherSession, type AssignmentSink, type ChannelSecurityLike, type SessionHooks } from './dispatcher-session';
import type { SessionStatusReporter } from './status-reporter';

/** AgentSessionOptions configure an {@link AgentSession}. */
export interface AgentSessionOptions {
  /** Dispatcher addresses (host:port) to try in turn. */
  readonly dispatchers: readonly string[];
  /** The channel security for the next connection (read per attempt: renewed certificates apply). */
  readonly security: () => ChannelSecurityLike;
  readonly metadata: () => Metadata;
  /** The node's description, taken fresh for each registration. */
  readonly describe: () => Promise<NodeDescription>;
  readonly sink: AssignmentSink;
  readonly reporter: SessionStatusReporter;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly logger?: Logger | undefined;
  readonly hooks?: AgentSessionHooks | undefined;
  /** Shared clients by dispatcher address (simulations); default: a new client per session. */
  readonly clientFor?: ((address: string) => DispatcherClient) | undefined;
}

/** AgentSessionHooks observe the loop (metrics). */
export interface AgentSessionHooks extends SessionHooks {
  onSessionEnd?(err: unknown): void;
  onConnected?(address: string): void;
}

/** nextBackoffMs is SwarmKit's session backoff: min(base + 2 × previous, max). */
export function nextBackoffMs(previousMs: number): number {
  return Math.min(AGENT_SESSION_LIMITS.backoffBaseMs + 2 * previousMs, AGENT_SESSION_LIMITS.backoffMaxMs);
}

/**
 * AgentSession keeps the node in session with some dispatcher. Contract: `run(signal)`
 * resolves once `signal` aborts; until then, after each session ends it waits a random time
 * in [0, backoff) (backoff = min(100 ms + 2 × previous, 8 s), reset after a session that
 * lasted AGENT_SESSION_LIMITS.healthySessionMs) and tries the next dispatcher. The manager
 * list of a session's first message is merged into the dispatchers tried.
 */
export class AgentSession {
  private readonly dispatchers: string[];
  private next = 0;
  private current: string | undefined;

  constructor(private readonly o: AgentSessionOptions) {
    this.dispatchers = [...new Set(o.dispatchers)];
    this.next = this.dispatchers.length > 0 ? Math.floor(o.random.float() * this.dispatchers.length) : 0;
  }

  /** connectedTo is the dispatcher of the open session, if any. */
  get connectedTo(): string | undefined {
    return this.current;
  }

  /** knownDispatchers lists the addresses the loop tries. */
  get knownDispatchers(): readonly string[] {
    return this.dispatchers;
  }

  /** run keeps a session open until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 0;
    while (!signal.aborted && this.dispatchers.length > 0) {
      const address = this.dispatchers[this.next % this.dispatchers.length] ?? '';
      const started = this.o.clock.now();
      try {
        await runDispatcherSession({
          address, security: this.o.security(), metadata: this.o.metadata, description: await this.o.describe(),
          sink: this.o.sink, reporter: this.o.reporter, timers: this.o.timers, signal, logger: this.o.logger,
          hooks: this.hooks(address), client: this.o.clientFor?.(address),
        });
      } catch (err) {
        this.o.logger?.warn({ err, dispatcher: address }, 'dispatcher session ended');
        this.o.hooks?.onSessionEnd?.(err);
      }
      this.current = undefined;
      if (signal.aborted) break;
      if (this.o.clock.now() - started >= AGENT_SESSION_LIMITS.healthySessionMs) backoff = 0;
      backoff = nextBackoffMs(backoff);
      this.next++;
      await sleep(this.o.timers, Math.floor(this.o.random.float() * backoff), signal);
    }
  }

  private hooks(address: string): SessionHooks {
    return {
      onMessage: (m) => {
        if (this.current === undefined) {
          this.current = address;
          this.o.hooks?.onConnected?.(address);
        }
        this.learn(m);
        this.o.hooks?.onMessage?.(m);
      },
      onHeartbeat: (rtt, period) => this.o.hooks?.onHeartbeat?.(rtt, period),
    };
  }

  /** learn adds the managers a dispatcher advertises (skipping wildcard addresses). */
  private learn(m: SessionResponse): void {
    for (const peer of m.managers) {
      const addr = peer.addr;
      if (addr === '' || addr.startsWith('0.0.0.0:') || addr.startsWith('[::]:')) continue;
      if (!this.dispatchers.includes(addr)) this.dispatchers.push(addr);
    }
  }
}

function sleep(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      timers.clearTimeout(handle);
      resolve();
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
