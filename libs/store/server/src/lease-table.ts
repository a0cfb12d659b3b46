// The replicated lease table: a small deterministic state machine fed by lease entries of the
// raft log (proto LeaseOperation inside StoreProposal). Time comes only from the entries.
import { assert, assertNever } from '@shoal/assert';
import { ShoalError } from '@shoal/errors';
import {
  durationFromMs,
  durationToMs,
  type CampaignRequest,
  type KeepAliveRequest,
  type Lease,
  type LeaseGuard,
  type LeaseOperation,
  type ResignRequest,
} from '@shoal/proto';
import { STORE_SERVER_LIMITS } from '@shoal/limits';

/**
 * LeaseRecord is one lease as every replica stores it. Invariant: `holder` is empty exactly
 * when the lease is vacant (resigned); `term` is the raft index of the entry that granted it to
 * its current (or last) holder, so terms increase and are never reused.
 */
export interface LeaseRecord {
  readonly name: string;
  readonly holder: string;
  readonly term: number;
  readonly ttlMs: number;
  /** The leader's clock (ms since the epoch) at which the lease lapses unless kept alive. */
  readonly expiresAtMs: number;
}

/**
 * LeaseResult is the outcome of one lease entry: the lease as it now stands (undefined when it
 * is vacant), whether the request was granted, or the error that refused it.
 */
export type LeaseResult =
  | { readonly ok: true; readonly elected: boolean; readonly lease: LeaseRecord | undefined }
  | { readonly ok: false; readonly error: ShoalError };

/** LeaseListener hears every change of a lease's holder, term or expiry, after it is applied. */
export type LeaseListener = (name: string, lease: LeaseRecord | undefined) => void;

/** leaseTtlMs is a campaign's time to live in ms: the default when unset, else checked. */
export function leaseTtlMs(request: CampaignRequest): number {
  const ttlMs = request.ttl === undefined ? STORE_SERVER_LIMITS.leaseTtlDefaultMs
    : durationToMs(request.ttl);
  return Math.round(ttlMs);
}

/**
 * validateLeaseOperation checks the shape of a lease request before it is proposed: non-empty
 * names within STORE_SERVER_LIMITS, and a ttl within [leaseTtlMinMs, leaseTtlMaxMs]. Throws
 * ShoalError INVALID_ARGUMENT naming the field.
 */
export function validateLeaseOperation(op: LeaseOperation): void {
  const inner = op.operation;
  if (inner === undefined) throw ShoalError.invalidArgument('lease operation is empty');
  const request = inner.$case === 'campaign' ? inner.campaign
    : inner.$case === 'resign' ? inner.resign : inner.keepAlive;
  const who = inner.$case === 'campaign' ? inner.campaign.candidate
    : inner.$case === 'resign' ? inner.resign.holder : inner.keepAlive.holder;
  checkName('name', request.name);
  checkName(inner.$case === 'campaign' ? 'candidate' : 'holder', who);
  if (inner.$case !== 'campaign') return;
  const ttlMs = leaseTtlMs(inner.campaign);
  const { leaseTtlMinMs, leaseTtlMaxMs } = STORE_SERVER_LIMITS;
  if (!(ttlMs >= leaseTtlMinMs && ttlMs <= leaseTtlMaxMs)) {
    throw ShoalError.invalidArgument(
      `field ttl: ${ttlMs} ms is outside [${leaseTtlMinMs}, ${leaseTtlMaxMs}] ms`,
      { field: 'ttl' },
    );
  }
}

function checkName(field: string, value: string): void {
  if (value === '') throw ShoalError.invalidArgument(`field ${field} is empty`, { field });
  if (Buffer.byteLength(value) > STORE_SERVER_LIMITS.leaseNameBytesMax) {
    const message = `field ${field} is over ${STORE_SERVER_LIMITS.leaseNameBytesMax} bytes`;
    throw ShoalError.invalidArgument(message, { field });
  }
}

/** leaseToProto renders a record as the proto Lease clients see. */
export function leaseToProto(record: LeaseRecord): Lease {
  return {
    name: record.name,
    holder: record.holder,
    term: record.term,
    ttl: durationFromMs(record.ttlMs),
    expiresAt: new Date(record.expiresAtMs),
  };
}

/** leaseFromProto reads a proto Lease back (snapshots); a lease without expiry is vacant. */
export function leaseFromProto(lease: Lease): LeaseRecord {
  return {
    name: lease.name,
    holder: lease.holder,
    term: lease.term,
    ttlMs: lease.ttl === undefined ? 0 : durationToMs(lease.ttl),
    expiresAtMs: lease.expiresAt?.getTime() ?? 0,
  };
}

function lost(name: string, holder: string, term: number, current: LeaseRecord | undefined) {
  const now = current === undefined || current.holder === ''
    ? 'it is vacant'
    : `it is held by ${current.holder} at term ${current.term}`;
  const message = `lease ${name} is not held by ${holder} at term ${term}: ${now}`;
  return ShoalError.failedPrecondition(message, { lease: name, holder, term: String(term) });
}

/**
 * LeaseTable is the replicated state of every lease, after etcd's leases but decided only by
 * the raft log: each lease entry carries the leader's clock (`proposed_at`), and a lease is
 * live at an entry iff `expiresAtMs > proposedAt`. Every replica applying the same entries in
 * the same order reaches the same table, whatever its own clock says.
 *
 * - campaign: granted if the lease is vacant, lapsed, or already the candidate's (then only
 *   renewed); a new holder gets term = the entry's index.
 * - keepAlive: renews for another ttl if holder and term match and the lease has not lapsed;
 *   otherwise FAILED_PRECONDITION (the lease was lost).
 * - resign: vacates the lease if holder and term match; otherwise nothing happens.
 * - {@link checkGuard}: a transaction's LeaseGuard holds iff holder and term match and the
 *   lease has not lapsed at the transaction's entry.
 */
export class LeaseTable {
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly listeners = new Set<LeaseListener>();

  /** get returns the lease's record, or undefined if it was never granted. */
  get(name: string): LeaseRecord | undefined {
    return this.leases.get(name);
  }

  /** live returns the lease if it is held and has not lapsed at `nowMs`. */
  live(name: string, nowMs: number): LeaseRecord | undefined {
    const lease = this.leases.get(name);
    return lease !== undefined && lease.holder !== '' && lease.expiresAtMs > nowMs
      ? lease : undefined;
  }

  /** size is the number of leases ever granted and still recorded. */
  get size(): number {
    return this.leases.size;
  }

  /** subscribe calls `listener` after every applied change; returns the unsubscribe. */
  subscribe(listener: LeaseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** listenerCount is the number of subscribers (Observe streams; a metric and a limit). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * apply applies one lease entry at raft `index` with the leader's `proposedAtMs`.
   * Deterministic: equal tables and entries give equal results and tables on every replica.
   */
  apply(op: LeaseOperation, index: number, proposedAtMs: number): LeaseResult {
    assert(Number.isSafeInteger(index) && index > 0, 'lease entries have a raft index');
    assert(Number.isFinite(proposedAtMs), 'lease entries carry the leader clock');
    const inner = op.operation;
    if (inner === undefined) return { ok: false, error: ShoalError.invalidArgument('empty') };
    switch (inner.$case) {
      case 'campaign':
        return this.campaign(inner.campaign, index, proposedAtMs);
      case 'keepAlive':
        return this.keepAlive(inner.keepAlive, proposedAtMs);
      case 'resign':
        return this.resign(inner.resign, proposedAtMs);
      default:
        return assertNever(inner, 'lease operation');
    }
  }

  private campaign(request: CampaignRequest, index: number, nowMs: number): LeaseResult {
    const ttlMs = leaseTtlMs(request);
    const current = this.live(request.name, nowMs);
    if (current !== undefined && current.holder !== request.candidate) {
      return { ok: true, elected: false, lease: current };
    }
    if (current === undefined && !this.leases.has(request.name) &&
      this.leases.size >= STORE_SERVER_LIMITS.leasesMax) {
      const message = `${STORE_SERVER_LIMITS.leasesMax} leases exist; the limit is reached`;
      return { ok: false, error: ShoalError.resourceExhausted(message, { limit: 'leasesMax' }) };
    }
    const term = current?.term ?? index;
    const lease = { name: request.name, holder: request.candidate, term, ttlMs,
      expiresAtMs: nowMs + ttlMs };
    this.set(lease);
    return { ok: true, elected: true, lease };
  }

  private keepAlive(request: KeepAliveRequest, nowMs: number): LeaseResult {
    const current = this.live(request.name, nowMs);
    if (current?.holder !== request.holder || current.term !== request.term) {
      return { ok: false, error: lost(request.name, request.holder, request.term, current) };
    }
    const lease = { ...current, expiresAtMs: nowMs + current.ttlMs };
    this.set(lease);
    return { ok: true, elected: true, lease };
  }

  private resign(request: ResignRequest, nowMs: number): LeaseResult {
    const current = this.leases.get(request.name);
    if (current?.holder !== request.holder || current.term !== request.term) {
      return { ok: true, elected: false, lease: this.live(request.name, nowMs) };
    }
    this.set({ ...current, holder: '', expiresAtMs: nowMs });
    return { ok: true, elected: false, lease: undefined };
  }

  /**
   * checkGuard decides a transaction's LeaseGuard at its entry's `proposedAtMs`: undefined if
   * the lease is live and held as the guard says, else FAILED_PRECONDITION naming the lease.
   */
  checkGuard(guard: LeaseGuard, proposedAtMs: number): ShoalError | undefined {
    const current = this.live(guard.name, proposedAtMs);
    if (current?.holder === guard.holder && current.term === guard.term) return undefined;
    return lost(guard.name, guard.holder, guard.term, current);
  }

  /** snapshot returns every record, by name, for the raft-store's snapshot (StoreSnapshot). */
  snapshot(): Lease[] {
    return [...this.leases.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(leaseToProto);
  }

  /** restore replaces the table with a snapshot's leases and tells every listener. */
  restore(leases: readonly Lease[]): void {
    const names = new Set([...this.leases.keys(), ...leases.map((l) => l.name)]);
    this.leases.clear();
    for (const lease of leases) this.leases.set(lease.name, leaseFromProto(lease));
    for (const name of names) this.notify(name);
  }

  private set(lease: LeaseRecord): void {
    assert(lease.term > 0, 'a granted lease has a term');
    this.leases.set(lease.name, Object.freeze(lease));
    this.notify(lease.name);
  }

  private notify(name: string): void {
    const lease = this.leases.get(name);
    const shown = lease === undefined || lease.holder === '' ? undefined : lease;
    for (const listener of [...this.listeners]) listener(name, shown);
  }
}
