/**
 * A minimal Docker Engine API client over the local unix socket for bench:e2e: JSON requests,
 * the container list filtered by label, and force removal. No registry is ever contacted: the
 * bench only creates containers from images already present.
 */
import http from 'node:http';

/** ENGINE_SOCKET is the engine the bench measures (the same one Shoal's node-agent drives). */
export const ENGINE_SOCKET = process.env['SHOAL_DOCKER_SOCKET'] ?? '/var/run/docker.sock';
const REQUEST_TIMEOUT_MS = 60_000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** EngineReply is a status code and the parsed JSON body (undefined when empty). */
export interface EngineReply {
  readonly status: number;
  readonly body: unknown;
}

/** engine sends one request; rejects on transport errors and timeouts, never on a status. */
export function engine(method: string, path: string, body?: unknown): Promise<EngineReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: ENGINE_SOCKET, path, method, agent, timeout: REQUEST_TIMEOUT_MS,
      headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        try { parsed = text === '' ? undefined : JSON.parse(text); } catch { parsed = text; }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** expectStatus throws with the engine's message unless the reply has one of `ok` statuses. */
export function expectStatus(reply: EngineReply, ok: readonly number[], what: string): EngineReply {
  if (!ok.includes(reply.status)) {
    const message = (reply.body as { message?: string } | undefined)?.message ?? JSON.stringify(reply.body);
    throw new Error(`${what}: engine answered ${reply.status}: ${message}`);
  }
  return reply;
}

/** ContainerSummary is the part of GET /containers/json the bench reads. */
export interface ContainerSummary {
  readonly Id: string;
  readonly State: string;
  readonly Labels: Record<string, string>;
}

/** containersWithLabel lists containers (all states) carrying label `key` or `key=value`. */
export async function containersWithLabel(label: string): Promise<ContainerSummary[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const reply = expectStatus(await engine('GET', `/containers/json?all=1&filters=${filters}`), [200], 'list containers');
  return reply.body as ContainerSummary[];
}

/** removeContainers force-removes every container with `label`, 16 at a time. */
export async function removeContainers(label: string): Promise<number> {
  const list = await containersWithLabel(label);
  await pool(list.map((c) => () => engine('DELETE', `/containers/${c.Id}?force=1&v=1`)), 16);
  return list.length;
}

/** pool runs `jobs` with at most `concurrency` in flight; resolves their results in order. */
export async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next;
      next += 1;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

/** imageId resolves an image reference to its ID (`sha256:…`). */
export async function imageId(ref: string): Promise<string> {
  const reply = expectStatus(await engine('GET', `/images/${encodeURIComponent(ref)}/json`), [200], `inspect image ${ref}`);
  return (reply.body as { Id: string }).Id;
}
