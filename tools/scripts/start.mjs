#!/usr/bin/env node
// `npm start`: installs what is missing, builds the eight apps, starts each as its own
// process, checks that each answers /healthz and /metrics, prints a table, and stops them
// with SIGTERM (each must exit 0). The full local topology (mTLS, raft-store members, agents,
// a DOCKER_HOST line) replaces this once the api-gateway issue lands.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import processes from '../smoke/src/processes.cjs';

const { APPS, appArgs, startApp, stopApp } = processes;
const stateRoot = path.join(root, '.shoal', 'state');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });

if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  console.log('shoal: installing dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
console.log('shoal: building the eight apps…');
run(`npx nx run-many -t build -p ${APPS.join(' ')} --outputStyle=static`);

const running = [];
let ok = true;
try {
  for (const app of APPS) {
    process.stdout.write(`shoal: starting ${app}… `);
    const args = ['--grpc-port=0', '--http-port=0', ...appArgs(app, stateRoot)];
    const proc = await startApp(root, app, { args });
    running.push(proc);
    const health = await fetch(`http://127.0.0.1:${proc.httpPort}/healthz`);
    const metrics = await (await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).text();
    const built = metrics.includes(`shoal_build_info{app="${app}"`);
    ok &&= health.ok && built;
    console.log(`${health.ok ? 'healthy' : `UNHEALTHY (${health.status})`}, grpc :${proc.grpcPort},`
      + ` http :${proc.httpPort}, metrics ${built ? 'ok' : 'MISSING shoal_build_info'}`);
  }
} catch (err) {
  ok = false;
  console.error(`shoal: ${err.message}`);
} finally {
  for (const proc of running.reverse()) {
    const code = await stopApp(proc);
    if (code !== 0) { ok = false; console.error(`shoal: ${proc.app} exited ${code} on SIGTERM`); }
  }
}
console.log(ok ? 'shoal: all eight processes started, answered, and stopped cleanly.' : 'shoal: FAILED');
process.exit(ok ? 0 : 1);
