#!/usr/bin/env node
// `npm start`: the local topology. Installs what is missing (npm ci), builds the eight apps,
// runs `shoal init` into the state directory once (a second start reuses it), then starts as
// detached processes with mTLS: three raft-store members, the ca, orchestrator, scheduler,
// allocator, dispatcher, api-gateway and one node-agent. Waits until each answers /healthz and
// the store has a leader, and prints the DOCKER_HOST line. `npm run stop` ends them.
//
//   npm start [-- --state-dir DIR] [--base-port N] [--executor docker|process]
//   env: SHOAL_STATE_DIR (default ./.shoal), SHOAL_BASE_PORT (default 4240)
// Logs: <state>/logs/<name>.log; pids: <state>/run/<name>.pid; ports: see tools/topology/plan.cjs.
// The processes run a copy of dist/apps in <state>/apps, so a rebuild cannot pull it from under them.
import path from 'node:path';
import topology from '../topology/topology.cjs';
import { parseTopologyArgs } from './topology-args.mjs';

const opts = parseTopologyArgs(process.argv.slice(2));
try {
  topology.build();
  const plan = await topology.up({ ...opts, snapshotApps: true });
  const gateway = plan.processes.find((p) => p.app === 'api-gateway');
  const relative = path.relative(process.cwd(), plan.stateDir) || '.';
  const stateDir = relative.startsWith('..') ? plan.stateDir : relative;
  console.log(`shoal: all ${plan.processes.length} processes are up (state ${stateDir}, logs ${stateDir}/logs).`);
  console.log(plan.executor === 'docker' ? 'shoal: the node-agent runs tasks as containers on /var/run/docker.sock.'
    : 'shoal: WARNING: the node-agent uses the PROCESS executor: tasks run as UNISOLATED child processes.');
  console.log(`shoal: the gateway's Control API (mTLS, admin bundle ${plan.stateDir}/admin) is on :${gateway.grpcPort}.`);
  console.log('shoal: use the docker CLI against the cluster:');
  console.log(`export DOCKER_HOST=${topology.dockerHostOf(plan)}`);
  console.log('  docker node ls    # then: docker service create --name web --replicas 3 shoal-test/busybox:1 sleep 100000');
  console.log('shoal: stop with `npm run stop` (a second `npm start` reuses the state).');
} catch (err) {
  console.error(`shoal: start FAILED: ${err.message}`);
  console.error(`shoal: stopping what started; logs stay in ${opts.stateDir}/logs`);
  await topology.down(opts.stateDir);
  process.exit(1);
}
