// Processes of the local topology: start one detached (log file, pid file), probe it, stop it.
// A pid file is trusted only while /proc/<pid>/cmdline still names the app's main.js, so a
// recycled pid is never signalled.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** readPid returns the pid recorded for `proc` when that process still runs our app, else null. */
function readPid(proc) {
  let pid;
  try { pid = Number(fs.readFileSync(proc.pidFile, 'utf8').trim()); } catch { return null; }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(path.join('apps', proc.app, 'main.js')) ? pid : null;
  } catch { return null; }
}

/**
 * startDetached spawns `node <appsDir>/<app>/main.js <args>` (cwd `root`) in its own process
 * group, stdout and stderr appended to `proc.log`, and writes `proc.pidFile`. The apps' npm
 * dependencies resolve from `<root>/node_modules` (NODE_PATH), also for a copy of dist/apps
 * outside the repository. It does not wait for health.
 */
function startDetached(root, appsDir, proc, extraEnv = {}) {
  fs.mkdirSync(path.dirname(proc.log), { recursive: true });
  fs.mkdirSync(path.dirname(proc.pidFile), { recursive: true });
  const out = fs.openSync(proc.log, 'a');
  fs.writeSync(out, `\n# ${new Date().toISOString()} start ${proc.name}: ${proc.app} ${proc.args.join(' ')}\n`);
  const child = spawn(process.execPath, [path.join(appsDir, proc.app, 'main.js'), ...proc.args], {
    cwd: root, detached: true, stdio: ['ignore', out, out],
    env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), ...extraEnv, ...proc.env },
  });
  fs.closeSync(out);
  fs.writeFileSync(proc.pidFile, `${child.pid}\n`);
  child.unref();
  return child.pid;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * stopProc sends SIGTERM, waits up to `graceMs` for the exit, then SIGKILL; removes the pid
 * file. Resolves 'not running' | 'stopped' | 'killed'.
 */
async function stopProc(proc, graceMs = 15_000) {
  const pid = readPid(proc);
  if (pid === null) { fs.rmSync(proc.pidFile, { force: true }); return 'not running'; }
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone already */ }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  let outcome = 'stopped';
  if (alive(pid)) {
    outcome = 'killed';
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    while (alive(pid)) await sleep(50);
  }
  fs.rmSync(proc.pidFile, { force: true });
  return outcome;
}

/** killProc sends SIGKILL at once (fault injection) and removes the pid file. */
async function killProc(proc) {
  const pid = readPid(proc);
  if (pid !== null) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    while (alive(pid)) await sleep(20);
  }
  fs.rmSync(proc.pidFile, { force: true });
}

/** httpGet fetches http://host:port/path with a deadline; resolves {status, text} or null. */
async function httpGet(host, port, urlPath, timeoutMs = 2_000) {
  try {
    const res = await fetch(`http://${host}:${port}${urlPath}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch { return null; }
}

/** healthy is true when the process answers 200 on /healthz. */
async function healthy(host, proc) {
  const res = await httpGet(host, proc.httpPort, '/healthz');
  return res !== null && res.status === 200;
}

/** gaugeValue reads one `shoal_<name>` sample (any labels) from a /metrics text, or null. */
function gaugeValue(text, name) {
  const re = new RegExp(`^shoal_${name}(\\{[^}]*\\})? ([-0-9.e+]+)$`, 'm');
  const m = re.exec(text);
  return m === null ? null : Number(m[2]);
}

/** portFree resolves true when nothing listens on host:port. */
function portFree(host, port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** tail returns the last `n` lines of a file ('' when missing). */
function tail(file, n = 15) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return ''; }
}

module.exports = { alive, gaugeValue, healthy, httpGet, killProc, portFree, readPid, sleep,
  startDetached, stopProc, tail };
