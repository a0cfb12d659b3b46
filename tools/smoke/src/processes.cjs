// Helpers to run built Shoal apps as child processes: start one, wait for its `listening`
// log line (which carries the bound ports), and stop it with SIGTERM. Used by the app smoke
// test (each app alone, in the foreground); `npm start` runs the whole topology detached
// through tools/topology instead.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

/** TLS_ONLY_APPS serve only over mTLS: alone they need a `shoal init` bundle. */
const TLS_ONLY_APPS = ['ca'];

/**
 * appArgs are the flags an app needs to start alone beyond its ports: the raft-store keeps
 * its WAL and snapshots under a state dir (a single-member cluster when no members are given);
 * a TLS-only app gets its bundle from `clusterDir` (a `shoal init` directory) and a store
 * endpoint nobody answers on (it retries in the background and still serves health).
 */
function appArgs(app, stateRoot, clusterDir) {
  if (app === 'raft-store') return [`--state-dir=${path.join(stateRoot, app)}`];
  if (TLS_ONLY_APPS.includes(app) && clusterDir !== undefined) {
    const dir = path.join(clusterDir, app);
    return [`--tls-ca-file=${path.join(dir, 'ca.pem')}`, `--tls-cert-file=${path.join(dir, 'cert.pem')}`,
      `--tls-key-file=${path.join(dir, 'key.pem')}`, '--store-endpoints=127.0.0.1:1'];
  }
  return [];
}

const APPS = ['raft-store', 'api-gateway', 'orchestrator', 'scheduler', 'allocator',
  'dispatcher', 'ca', 'node-agent'];

/** Starts dist/apps/<app>/main.js; resolves with the child and its ports once it listens. */
function startApp(root, app, { args = [], env = {}, timeoutMs = 20_000, onLine } = {}) {
  const main = path.join(root, 'dist', 'apps', app, 'main.js');
  const child = spawn(process.execPath, [main, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} did not log "listening" within ${timeoutMs} ms: ${Buffer.concat(stderr)}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited early (code ${code}, signal ${signal}): ${Buffer.concat(stderr)}`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      onLine?.(line);
      let entry;
      try { entry = JSON.parse(line); } catch { return; }
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ app, child, grpcPort: entry.grpcPort, httpPort: entry.httpPort });
      }
    });
  });
}

/** Sends SIGTERM and resolves with the exit code (SIGKILL after `graceMs`, code null). */
function stopApp({ child }, graceMs = 15_000) {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
    child.kill('SIGTERM');
  });
}

module.exports = { APPS, TLS_ONLY_APPS, appArgs, startApp, stopApp };
