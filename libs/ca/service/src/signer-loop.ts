// Signing certificates another replica accepted but did not sign (it died, or restarted).
import type { Timers, TimerHandle } from '@shoal/clock';
import type { Logger } from '@shoal/logging';

/** SignerLoopOptions parameterise {@link SignerLoop}. */
export interface SignerLoopOptions {
  /** Lists the IDs of nodes whose certificate is PENDING or RENEW. */
  readonly pending: () => Promise<readonly string[]>;
  /** Signs one node if it is still pending (CaService.signPending). */
  readonly sign: (id: string) => Promise<void>;
  readonly timers: Timers;
  /** Ms between two looks at the store. */
  readonly intervalMs: number;
  readonly logger?: Logger;
}

/**
 * SignerLoop looks at the store every `intervalMs` and signs the certificates that were
 * pending at the previous look too: the replica that accepted a request signs it at once, so
 * only a certificate left behind (its replica died or restarted) stays pending across two
 * looks. Any replica may sign, since the root key is in the store; two replicas signing the
 * same CSR both write a valid certificate for the same key and identity.
 */
export class SignerLoop {
  private seen = new Set<string>();
  private timer: TimerHandle | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  /** Creates the loop; nothing runs until {@link start}. */
  constructor(private readonly o: SignerLoopOptions) {}

  /** start schedules the first look. */
  start(): void {
    this.schedule();
  }

  /** stop cancels the next look and waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    await this.running;
  }

  /** tick is one look: sign what was pending last time and still is. Exposed for tests. */
  async tick(): Promise<void> {
    const now = new Set(await this.o.pending());
    for (const id of now) {
      if (!this.seen.has(id)) continue;
      this.o.logger?.info({ nodeId: id }, 'signing a certificate left pending');
      await this.o.sign(id);
    }
    this.seen = now;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.timers.setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.o.logger?.warn({ err }, 'signer loop: look at the store failed'))
        .finally(() => this.schedule());
    }, this.o.intervalMs);
  }
}
