import { assert } from '@shoal/assert';
import { SCHEDULER_LIMITS } from '@shoal/limits';
import type { Task } from '@shoal/proto';
import { SCHEDULER_CORE_LIMITS } from '@shoal/limits';
import type { NodeInfo } from './node-info';

/**
 * failureKey names a (service, spec version) pair, the unit SwarmKit tracks failures in; a task
 * without a spec version counts as version 0.
 */
export function failureKey(task: Pick<Task, 'serviceId' | 'specVersion'>): string {
  return `${task.serviceId}\u0000${task.specVersion?.index ?? 0}`;
}

function dropExpired(timestamps: number[], nowMs: number): void {
  let expired = 0;
  while (expired < timestamps.length &&
    nowMs - (timestamps[expired] as number) >= SCHEDULER_LIMITS.monitorFailuresMs) {
    expired++;
  }
  if (expired > 0) timestamps.splice(0, expired);
}

/** Drops keys whose failures all left the window; run at most once per window per node. */
function cleanupFailures(info: NodeInfo, nowMs: number): void {
  const log = info.failureLog();
  for (const [key, timestamps] of log) {
    dropExpired(timestamps, nowMs);
    if (timestamps.length === 0) log.delete(key);
  }
  info.lastFailureCleanupMs = nowMs;
}

/**
 * recordFailure notes that a task of `key` failed or was rejected on the node at `nowMs`
 * (SwarmKit's `taskFailed`). Timestamps older than `monitorFailuresMs` are dropped and at most
 * `recentFailuresKeptMax` are kept; `nowMs` must not go backwards for a node.
 */
export function recordFailure(info: NodeInfo, key: string, nowMs: number): void {
  if (nowMs - info.lastFailureCleanupMs >= SCHEDULER_LIMITS.monitorFailuresMs) {
    cleanupFailures(info, nowMs);
  }
  const log = info.failureLog();
  const timestamps = log.get(key) ?? [];
  const last = timestamps[timestamps.length - 1];
  assert(last === undefined || last <= nowMs, 'failure timestamps are ascending');
  dropExpired(timestamps, nowMs);
  timestamps.push(nowMs);
  if (timestamps.length > SCHEDULER_CORE_LIMITS.recentFailuresKeptMax) timestamps.shift();
  log.set(key, timestamps);
}

/**
 * recentFailureCount returns how many failures of `key` the node saw within
 * `monitorFailuresMs` before `nowMs` (SwarmKit's `countRecentFailures`).
 */
export function recentFailureCount(info: NodeInfo, key: string, nowMs: number): number {
  const timestamps = info.failures.get(key);
  if (timestamps === undefined) return 0;
  let count = 0;
  for (let i = timestamps.length - 1; i >= 0; i--) {
    if (nowMs - (timestamps[i] as number) > SCHEDULER_LIMITS.monitorFailuresMs) break;
    count++;
  }
  return count;
}

/**
 * failureTier is the first ranking key: 0 for a healthy node, the failure count for a node with
 * at least `maxFailures` recent failures. Comparing tiers reproduces SwarmKit's `nodeLess`:
 * failures decide only when either node is faulty, and then fewer failures win.
 */
export function failureTier(recentFailures: number): number {
  return recentFailures >= SCHEDULER_LIMITS.maxFailures ? recentFailures : 0;
}
