// Running the real docker CLI against a socket, for tests.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** CliResult is what one docker CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** CLI_TIMEOUT_MS bounds one docker CLI run in tests. */
const CLI_TIMEOUT_MS = 60_000;

/**
 * dockerCli returns a runner of `docker -H <host> ...` with a private config dir and none of the
 * caller's DOCKER_* settings (so no context, TLS or pinned version leaks in). It never throws
 * for a non-zero exit: the code is in the result.
 */
export function dockerCli(host: string, extraEnv: Readonly<Record<string, string>> = {}): (...args: string[]) => Promise<CliResult> {
  const config = mkdtempSync(join(tmpdir(), 'shoal-docker-config-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: config, DOCKER_CONFIG: config, ...extraEnv };
  return (...args) => new Promise((resolve) => {
    execFile('docker', ['-H', host, ...args], { env, timeout: CLI_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}
