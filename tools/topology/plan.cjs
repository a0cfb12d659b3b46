// The local topology's plan: which processes run, on which ports, with which flags. Pure: no
// I/O beyond path joins, so start/stop, the e2e suite and bench:e2e all derive the same plan.
//
// Port scheme (documented in README.md and deploy/README.md): a base port B (default 4240) and
// an HTTP offset of 5000. The first process of each app gets the port of
// docs/design/architecture.md (B + the app's slot), the rest follow after the eight slots:
//
//   slot  0 store-1       1 gateway     2 orchestrator  3 scheduler   4 allocator
//   slot  5 dispatcher    6 ca          7 agent-1       8 store-2     9 store-3
//   slot 10+ extra processes in plan order (scheduler-2, agent-2, …)
//
// gRPC = B + slot, HTTP = B + 5000 + slot: with B = 4240, store-1 is 4240/9240, store-3 4249/9249.
'use strict';
const path = require('node:path');

/** HTTP_OFFSET is the distance between a process's gRPC port and its HTTP port. */
const HTTP_OFFSET = 5000;
/** DEFAULT_BASE_PORT is the first gRPC port (raft-store member 1), as in architecture.md. */
const DEFAULT_BASE_PORT = 4240;

const FIXED_SLOTS = {
  'store-1': 0, gateway: 1, orchestrator: 2, scheduler: 3, allocator: 4,
  dispatcher: 5, ca: 6, 'agent-1': 7, 'store-2': 8, 'store-3': 9,
};

/** Start order: the store first, then the ca (it seeds the Cluster object), loops, edge, agents. */
const PHASES = ['store', 'ca', 'control', 'agent'];

/**
 * processNames lists every process of a topology with `counts` ({stores, schedulers, agents}),
 * in slot order of the scheme above.
 */
function processNames({ stores = 3, schedulers = 1, agents = 1 } = {}) {
  const names = [];
  for (let i = 1; i <= stores; i += 1) names.push(`store-${i}`);
  names.push('gateway', 'orchestrator', 'allocator', 'dispatcher', 'ca');
  for (let i = 1; i <= schedulers; i += 1) names.push(i === 1 ? 'scheduler' : `scheduler-${i}`);
  for (let i = 1; i <= agents; i += 1) names.push(`agent-${i}`);
  return names;
}

/** slots gives each name its port slot: fixed ones first, extras after slot 9 in order. */
function slots(names) {
  const out = {};
  let next = 10;
  for (const name of names) {
    if (name in FIXED_SLOTS) out[name] = FIXED_SLOTS[name];
    else { out[name] = next; next += 1; }
  }
  return out;
}

/** appOf maps a process name to its app (dist/apps/<app>/main.js). */
function appOf(name) {
  if (name.startsWith('store-')) return 'raft-store';
  if (name.startsWith('agent-')) return 'node-agent';
  if (name.startsWith('scheduler')) return 'scheduler';
  if (name === 'gateway') return 'api-gateway';
  return name;
}

function phaseOf(app) {
  if (app === 'raft-store') return 'store';
  if (app === 'ca') return 'ca';
  if (app === 'node-agent') return 'agent';
  return 'control';
}

/** certDirOf is the `shoal init` bundle a process uses (agents get theirs by joining). */
function certDirOf(name, app) {
  if (app === 'raft-store') return name;
  if (app === 'scheduler') return 'scheduler';
  return name;
}

function tlsArgs(stateDir, dir) {
  const d = path.join(stateDir, dir);
  return [`--tls-ca-file=${path.join(d, 'ca.pem')}`, `--tls-cert-file=${path.join(d, 'cert.pem')}`,
    `--tls-key-file=${path.join(d, 'key.pem')}`];
}

/**
 * makePlan returns the topology: `{stateDir, basePort, host, executor, dockerSocket, storeEndpoints,
 * processes}` where
 * each process is `{name, app, phase, grpcPort, httpPort, args, env, log, pidFile}`.
 * Options: stateDir (absolute), basePort, host, counts, executor ('docker'|'process'),
 * joinToken (the worker token, passed to agents as SHOAL_JOIN_TOKEN, never on the command line),
 * hostname (agent-1's; agent-N gets `<hostname>-N`), logLevel.
 */
function makePlan(opts) {
  const { stateDir, basePort = DEFAULT_BASE_PORT, host = '127.0.0.1', counts = {},
    executor = 'docker', joinToken, hostname = 'localhost', logLevel = 'info' } = opts;
  const names = processNames(counts);
  const slot = slots(names);
  const grpc = (name) => basePort + slot[name];
  const stores = names.filter((n) => n.startsWith('store-'));
  const storeEndpoints = stores.map((n) => `${host}:${grpc(n)}`).join(',');
  const members = stores.map((n, i) => `${i + 1}=${host}:${grpc(n)}`).join(',');
  const gatewaySocket = path.join(stateDir, 'gateway', 'docker.sock');
  const processes = names.map((name) => {
    const app = appOf(name);
    const grpcPort = grpc(name);
    const httpPort = grpcPort + HTTP_OFFSET;
    const args = [`--host=${host}`, `--grpc-port=${grpcPort}`, `--http-port=${httpPort}`,
      `--log-level=${logLevel}`];
    const env = {};
    if (app === 'raft-store') {
      args.push(`--node-id=${stores.indexOf(name) + 1}`, `--members=${members}`,
        `--state-dir=${path.join(stateDir, 'data', name)}`, ...tlsArgs(stateDir, certDirOf(name, app)));
    } else if (app === 'node-agent') {
      const n = Number(name.slice('agent-'.length));
      args.push(`--state-dir=${path.join(stateDir, 'data', name)}`, `--executor=${executor}`,
        `--ca-endpoints=${host}:${grpc('ca')}`, `--dispatcher-endpoints=${host}:${grpc('dispatcher')}`,
        `--hostname=${n === 1 ? hostname : `${hostname}-${n}`}`);
      if (joinToken !== undefined) env.SHOAL_JOIN_TOKEN = joinToken;
    } else {
      args.push(`--store-endpoints=${storeEndpoints}`, ...tlsArgs(stateDir, certDirOf(name, app)));
      if (app === 'ca') args.push(`--init-dir=${stateDir}`);
      if (app === 'api-gateway') args.push(`--docker-socket=${gatewaySocket}`);
      if (app === 'dispatcher') args.push('--dispatcher-id=dispatcher-1');
      if (app === 'scheduler' || app === 'orchestrator' || app === 'allocator') args.push(`--holder=${name}`);
    }
    return { name, app, phase: phaseOf(app), grpcPort, httpPort, args, env,
      log: path.join(stateDir, 'logs', `${name}.log`), pidFile: path.join(stateDir, 'run', `${name}.pid`) };
  });
  return { stateDir, basePort, host, executor, dockerSocket: gatewaySocket, storeEndpoints, processes };
}

/** portsOf lists every port a plan binds (gRPC and HTTP). */
function portsOf(plan) {
  return plan.processes.flatMap((p) => [p.grpcPort, p.httpPort]);
}

module.exports = { DEFAULT_BASE_PORT, HTTP_OFFSET, PHASES, appOf, makePlan, portsOf, processNames };
