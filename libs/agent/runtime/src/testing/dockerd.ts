// Test helper: a Docker Engine for the docker executor's tests. ensureDockerd() pings the
// engine and, when it does not answer or the test image is missing, runs
// tools/scripts/ensure-dockerd.sh (install docker.io, start dockerd, import the busybox test
// image). It throws when the engine still cannot be reached: tests that need it FAIL, never skip.
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** TEST_IMAGE is the busybox image ensure-dockerd.sh imports (there is no registry). */
export const TEST_IMAGE = 'shoal-test/busybox:1';
/** TEST_LABEL marks every container a test creates, for cleanup. */
export const TEST_LABEL = Object.freeze({ key: 'com.shoal.test', value: '1' });
/** The engine socket the tests use. */
export const DOCKER_SOCKET = process.env['SHOAL_DOCKER_SOCKET'] ?? '/var/run/docker.sock';
/** Ms the ensure script may take (an apt-get install of docker.io included). */
export const ENSURE_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

/** repoRoot walks up from this file to the directory holding nx.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ensureDockerd: cannot find the repository root (nx.json)');
    dir = parent;
  }
  return dir;
}

async function ready(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    await docker.getImage(TEST_IMAGE).inspect();
    return true;
  } catch {
    return false;
  }
}

/** ensureDockerd returns a client of a running engine that has {@link TEST_IMAGE}, starting it if needed. */
export async function ensureDockerd(): Promise<Docker> {
  const docker = new Docker({ socketPath: DOCKER_SOCKET });
  if (await ready(docker)) return docker;
  const script = join(repoRoot(), 'tools/scripts/ensure-dockerd.sh');
  try {
    const { stdout } = await run('bash', [script], {
      timeout: ENSURE_TIMEOUT_MS,
      env: { ...process.env, SHOAL_DOCKER_SOCKET: DOCKER_SOCKET },
    });
    process.stderr.write(stdout);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`ensureDockerd: ${script} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  if (!(await ready(docker))) throw new Error(`ensureDockerd: no engine with ${TEST_IMAGE} on ${DOCKER_SOCKET} after ${script}`);
  return docker;
}

/** removeTestContainers force-removes every container carrying {@link TEST_LABEL}. */
export async function removeTestContainers(docker: Docker): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL.key}=${TEST_LABEL.value}`] } });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  return found.length;
}
