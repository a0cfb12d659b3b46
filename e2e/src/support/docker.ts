// The real docker CLI, run against the Shoal gateway's socket or against the real engine, and
// raw Engine API requests to the gateway for inputs the CLI refuses before sending.
import { execFile } from 'node:child_process';
import http from 'node:http';

/** ENGINE_HOST is the real dockerd the node-agents drive. */
export const ENGINE_HOST = 'unix:///var/run/docker.sock';
const CLI_TIMEOUT_MS = 90_000;

/** CliResult is one docker CLI run: exit code, stdout, stderr. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runDocker runs `docker <args>` with DOCKER_HOST=`host`; never rejects on a non-zero exit. */
export function runDocker(host: string, args: readonly string[], timeoutMs = CLI_TIMEOUT_MS): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
  delete env['DOCKER_CONTEXT'];
  return new Promise((resolve) => {
    execFile('docker', [...args], { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/** docker runs the CLI and returns stdout; throws with the command and stderr on failure. */
export async function docker(host: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  const res = await runDocker(host, args, timeoutMs);
  if (res.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${res.code}: ${res.stderr.trim()}`);
  return res.stdout;
}

/** ApiReply is the status and parsed body of a raw Engine API request. */
export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

/** api sends one Engine API request over a unix socket (`unix://` prefix optional). */
export function api(host: string, method: string, path: string, body?: unknown): Promise<ApiReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: host.replace(/^unix:\/\//, ''), path, method, timeout: 30_000,
      headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = text === '' ? undefined : JSON.parse(text); } catch { /* keep the text */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** EngineContainer is one row of `docker ps` on the real engine. */
export interface EngineContainer {
  readonly id: string;
  readonly image: string;
  readonly labels: Record<string, string>;
}

/** engineContainers lists the real engine's containers with `label` (running only unless `all`). */
export async function engineContainers(label: string, all = false): Promise<EngineContainer[]> {
  const out = await docker(ENGINE_HOST, ['ps', '--no-trunc', ...(all ? ['-a'] : []), '--filter', `label=${label}`,
    '--format', '{{json .}}']);
  return out.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const row = JSON.parse(line) as { ID: string; Image: string; Labels: string };
    const labels: Record<string, string> = {};
    for (const pair of row.Labels.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { id: row.ID, image: row.Image, labels };
  });
}
