// The local topology, shared by `npm start` / `npm run stop`, the e2e suite and bench:e2e:
// build the apps, `shoal init` a state directory once, start every process detached with mTLS,
// wait until each answers /healthz and the store has a leader, and stop them again.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { PHASES, makePlan, portsOf } = require('./plan.cjs');
const procs = require('./procs.cjs');

const ROOT = path.resolve(__dirname, '../..');
const APPS = ['raft-store', 'api-gateway', 'orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca', 'node-agent'];
const ENGINE_SOCKET = '/var/run/docker.sock';
const PLAN_FILE = 'topology.json';

/**
 * build runs `npm ci` when node_modules is missing, then builds the eight apps with Nx (cached);
 * SHOAL_SKIP_BUILD=1 skips the build (iterating on the harness with apps already in dist/).
 */
function build({ root = ROOT, log = console.log, stdio = 'inherit' } = {}) {
  const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' };
  if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    log('shoal: node_modules missing: npm ci');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio, env });
  }
  if (process.env.SHOAL_SKIP_BUILD === '1') {
    log('shoal: SHOAL_SKIP_BUILD=1: using the apps already in dist/');
    return;
  }
  log('shoal: building the eight apps (nx run-many -t build)');
  try {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...APPS, '--outputStyle=static'],
      { cwd: root, stdio, env, maxBuffer: 64 << 20 });
  } catch (err) {
    const out = `${err.stdout ?? ''}`.split('\n').filter((l) => /error|failed|✘/i.test(l)).slice(-20).join('\n');
    throw new Error(`the build failed (nx run-many -t build):\n${out}`);
  }
}

/** ensureInit runs `shoal init` into stateDir unless it holds a cluster; returns the tokens. */
function ensureInit(stateDir, { root = ROOT, log = console.log, stdio = 'inherit' } = {}) {
  if (fs.existsSync(path.join(stateDir, 'cluster.json'))) {
    log(`shoal: reusing the cluster in ${stateDir}`);
  } else {
    log(`shoal: shoal init --state-dir ${stateDir}`);
    fs.mkdirSync(stateDir, { recursive: true });
    execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'),
      ['--tsconfig', 'tsconfig.base.json', 'tools/cli/src/main.ts', 'init', '--state-dir', stateDir],
      { cwd: root, stdio });
  }
  return JSON.parse(fs.readFileSync(path.join(stateDir, 'tokens.json'), 'utf8'));
}

/** engineAnswers resolves true when a Docker engine answers GET /_ping on `socket`. */
function engineAnswers(socket = ENGINE_SOCKET, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
  });
}

function savePlan(plan) {
  fs.mkdirSync(path.join(plan.stateDir, 'run'), { recursive: true });
  fs.writeFileSync(path.join(plan.stateDir, 'run', PLAN_FILE), `${JSON.stringify(plan, null, 2)}\n`);
}

/** loadPlan reads the plan the last start saved in `<stateDir>/run/topology.json`, or null. */
function loadPlan(stateDir) {
  try { return JSON.parse(fs.readFileSync(path.join(stateDir, 'run', PLAN_FILE), 'utf8')); } catch { return null; }
}

/** waitFor polls `check` every 250 ms until it resolves truthy; throws `what` after timeoutMs. */
async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await procs.sleep(250);
  }
}

/** waitHealthy waits for /healthz of each process; fails fast (with its log) when one exits. */
async function waitHealthy(plan, list, timeoutMs) {
  await Promise.all(list.map((proc) => waitFor(`${proc.name} /healthz on :${proc.httpPort}`, async () => {
    if (procs.readPid(proc) === null) {
      throw new Error(`${proc.name} exited; last lines of ${proc.log}:\n${procs.tail(proc.log)}`);
    }
    return procs.healthy(plan.host, proc);
  }, timeoutMs)));
}

/** leaderOf resolves the store process whose /metrics says shoal_raft_is_leader 1, or null. */
async function leaderOf(plan) {
  for (const proc of plan.processes.filter((p) => p.app === 'raft-store')) {
    const res = await procs.httpGet(plan.host, proc.httpPort, '/metrics');
    if (res !== null && procs.gaugeValue(res.text, 'raft_is_leader') === 1) return proc;
  }
  return null;
}

/** activeOf resolves the replica of a loop app whose shoal_loop_is_active is 1, or null. */
async function activeOf(plan, app) {
  for (const proc of plan.processes.filter((p) => p.app === app)) {
    const res = await procs.httpGet(plan.host, proc.httpPort, '/metrics');
    if (res !== null && /^shoal_loop_is_active(\{[^}]*\})? 1$/m.test(res.text)) return proc;
  }
  return null;
}

async function checkPortsFree(plan) {
  const busy = [];
  for (const port of portsOf(plan)) if (!(await procs.portFree(plan.host, port))) busy.push(port);
  if (busy.length > 0) {
    throw new Error(`ports in use: ${busy.join(', ')} (another Shoal or service?); `
      + 'run `npm run stop`, or choose other ports with --base-port / SHOAL_BASE_PORT');
  }
}

/**
 * snapshotApps copies dist/apps into `<stateDir>/apps`, so a rebuild of dist/ while the topology
 * runs (other work in the same tree) cannot take a process's entry point away on a restart.
 */
async function snapshotApps(root, stateDir) {
  const dest = path.join(stateDir, 'apps');
  fs.rmSync(dest, { recursive: true, force: true });
  for (const app of APPS) {
    const src = path.join(root, 'dist', 'apps', app);
    // A concurrent `nx build` empties the output dir for a while: wait for it to come back.
    await waitFor(`${src}/main.js (build the apps first)`, async () => fs.existsSync(path.join(src, 'main.js')), 180_000);
    fs.cpSync(src, path.join(dest, app), { recursive: true });
  }
  return dest;
}

/**
 * up starts a topology (see plan.cjs for options) and resolves its plan once every process
 * answers /healthz and the store has a leader. Processes already running from this state dir
 * are kept; names in `opts.skip` are planned but not started (see startOne). With
 * `opts.snapshotApps` the processes run a copy of dist/apps taken now. `log` receives progress lines. Throws with the failing process's log tail.
 */
async function up(opts) {
  const { log = console.log, timeoutMs = 90_000, root = ROOT } = opts;
  const stateDir = path.resolve(opts.stateDir);
  const tokens = ensureInit(stateDir, { root, log, stdio: opts.stdio ?? 'inherit' });
  let executor = opts.executor;
  if (executor === undefined) {
    executor = (await engineAnswers()) ? 'docker' : 'process';
    if (executor === 'process') {
      log(`shoal: WARNING: no Docker engine answers on ${ENGINE_SOCKET}: the node-agent uses the `
        + 'PROCESS executor (tasks run as UNISOLATED child processes, images are ignored)');
    }
  }
  const plan = makePlan({ ...opts, stateDir, executor, joinToken: tokens.worker,
    hostname: opts.hostname ?? os.hostname() });
  plan.appsDir = opts.snapshotApps ? await snapshotApps(root, stateDir) : path.join(root, 'dist', 'apps');
  const stopped = plan.processes.filter((p) => procs.readPid(p) === null);
  await checkPortsFree({ ...plan, processes: stopped });
  savePlan(plan);
  const skip = new Set(opts.skip ?? []);
  for (const phase of PHASES) {
    const list = plan.processes.filter((p) => p.phase === phase && !skip.has(p.name));
    if (list.length === 0) continue;
    for (const proc of list) {
      if (procs.readPid(proc) !== null) { log(`shoal: ${proc.name} already running`); continue; }
      procs.startDetached(root, plan.appsDir, proc, opts.env);
      log(`shoal: started ${proc.name.padEnd(12)} ${proc.app.padEnd(12)} grpc :${proc.grpcPort} http :${proc.httpPort}`);
    }
    await waitHealthy(plan, list, timeoutMs);
    if (phase === 'store') {
      const leader = await waitFor('a raft-store leader', () => leaderOf(plan), timeoutMs);
      log(`shoal: store healthy, leader ${leader.name}`);
    } else {
      log(`shoal: ${list.map((p) => p.name).join(', ')} healthy`);
    }
  }
  return plan;
}

/**
 * down stops every process of the topology in `stateDir` (agents first, the store last):
 * SIGTERM, SIGKILL after `graceMs`. Resolves [{name, outcome}].
 */
async function down(stateDir, { graceMs = 15_000, log = console.log } = {}) {
  const plan = loadPlan(path.resolve(stateDir));
  if (plan === null) return [];
  const results = [];
  for (const phase of [...PHASES].reverse()) {
    const list = plan.processes.filter((p) => p.phase === phase);
    const outcomes = await Promise.all(list.map((p) => procs.stopProc(p, graceMs)));
    list.forEach((p, i) => {
      results.push({ name: p.name, outcome: outcomes[i] });
      if (outcomes[i] !== 'not running') log(`shoal: ${p.name} ${outcomes[i]}`);
    });
  }
  return results;
}

/** startOne (re)starts one process of a saved plan and waits for its /healthz. */
async function startOne(plan, name, { root = ROOT, timeoutMs = 60_000 } = {}) {
  const proc = plan.processes.find((p) => p.name === name);
  if (procs.readPid(proc) === null) procs.startDetached(root, plan.appsDir, proc);
  await waitHealthy(plan, [proc], timeoutMs);
  return proc;
}

/**
 * freeBasePort picks a random base port in [10000, 27000) whose `slotsNeeded` gRPC ports and
 * their HTTP ports (+5000) are all free: below Linux's ephemeral range, away from 4240-9249.
 */
async function freeBasePort(slotsNeeded = 16) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 10_000 + Math.floor(Math.random() * 17_000);
    let free = true;
    for (let i = 0; i < slotsNeeded && free; i += 1) {
      free = (await procs.portFree('127.0.0.1', base + i)) && (await procs.portFree('127.0.0.1', base + 5000 + i));
    }
    if (free) return base;
  }
  throw new Error('no free range of ports found for the topology');
}

/** dockerHostOf is the DOCKER_HOST value for the gateway's unix socket. */
function dockerHostOf(plan) {
  return `unix://${plan.dockerSocket}`;
}

module.exports = { APPS, ROOT, activeOf, build, dockerHostOf, down, engineAnswers, ensureInit, freeBasePort, leaderOf,
  loadPlan, startOne, up, waitFor, procs, makePlan };
