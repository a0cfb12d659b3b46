// Recording a KV history against the raft-store for the linearizability checker: put is a
// read-modify-write of a Config object's data (StoreClient.update), get a linearizable read.
import { isShoalError } from '@shoal/errors';
import { Config } from '@shoal/proto';
import { provesNotApplied, type StoreClient } from '@shoal/store-client';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the checker is the acceptance test's oracle (issue "raft-store")
import type { KvOperation } from '@shoal/testing-linearizability';

/** Codes that prove a failed put did not happen (its history entry is dropped). */
const DEFINITE_FAILURES = new Set(['SEQUENCE_CONFLICT', 'NOT_FOUND', 'PERMISSION_DENIED',
  'INVALID_ARGUMENT', 'ALREADY_EXISTS']);

/** keyId maps a history key to a stable 25-char store id. */
export function keyId(key: string): string {
  return `0lin${key}`.padEnd(25, "0");
}

/** configObject is the Config holding `value` for `key`. */
export function configObject(key: string, value: string): Config {
  return Config.fromPartial({
    id: keyId(key),
    spec: { annotations: { name: `lin-${key}`, labels: {} }, data: Buffer.from(value) },
  });
}

/** History collects operations with call and return times on one clock. */
export class History {
  readonly ops: KvOperation[] = [];
  unknownPuts = 0;
  ackedPuts = 0;
  readonly failedReads: unknown[] = [];

  /** put writes `value` to `key` and records the outcome (ok, unknown, or dropped). */
  async put(client: StoreClient, clientId: number, key: string, value: string): Promise<void> {
    const call = performance.now();
    const input = { kind: 'put' as const, key, value };
    try {
      await client.update('config', keyId(key), (c) => ({
        ...c, spec: { ...(c.spec ?? configObject(key, value).spec), data: Buffer.from(value) },
      } as Config), { writer: 'user' });
      this.ackedPuts++;
      this.ops.push({ clientId, input, call, output: { kind: 'put' }, return: performance.now() });
    } catch (err) {
      const definite = isShoalError(err) && (DEFINITE_FAILURES.has(err.code) || provesNotApplied(err));
      if (definite) return;
      this.unknownPuts++;
      this.ops.push({ clientId, input, call, return: undefined });
    }
  }

  /**
   * get reads `key` linearizably and records the value; a failed read is left out (and
   * kept in `failedReads`). Resolves whether the read succeeded.
   */
  async get(client: StoreClient, clientId: number, key: string): Promise<boolean> {
    const call = performance.now();
    try {
      const config = await client.get('config', keyId(key));
      const value = config?.spec?.data === undefined ? undefined : Buffer.from(config.spec.data).toString();
      this.ops.push({ clientId, input: { kind: 'get', key }, call,
        output: { kind: 'get', value }, return: performance.now() });
      return true;
    } catch (err) {
      this.failedReads.push(err);
      return false;
    }
  }

  /** runClient puts and gets random keys until `stop()` says so. */
  async runClient(client: StoreClient, clientId: number, keys: readonly string[],
    stop: () => boolean): Promise<void> {
    for (let n = 0; !stop(); n++) {
      const key = keys[Math.floor(Math.random() * keys.length)] as string;
      if (Math.random() < 0.5) await this.put(client, clientId, key, `c${clientId}-${n}`);
      else await this.get(client, clientId, key);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
