// Goal: the local topology's plan (tools/topology/plan.cjs), which `npm start`, the e2e suite
// and bench:e2e share, follows the documented port scheme and gives every process the agreed
// flags: store-1 and the first of each app on the architecture's ports, store-2/3 after the
// eight slots, HTTP = gRPC + 5000, mTLS files from the `shoal init` bundles, the join token only
// in the environment.
import path from 'node:path';

import topologyPlan = require('../../topology/plan.cjs');

const { makePlan } = topologyPlan;
type PlannedProcess = ReturnType<typeof makePlan>['processes'][number];

const stateDir = '/srv/shoal';
const plan = makePlan({ stateDir, joinToken: 'SHLTKN-1-secret', hostname: 'box', counts: { schedulers: 2, agents: 2 } });
const byName = (name: string): PlannedProcess => {
  const proc = plan.processes.find((p) => p.name === name);
  if (proc === undefined) throw new Error(`${name} is not planned`);
  return proc;
};

describe('the local topology plan', () => {
  it('puts the first process of each app on the architecture ports and the rest after slot 9', () => {
    const ports = Object.fromEntries(plan.processes.map((p) => [p.name, [p.grpcPort, p.httpPort]]));
    expect(ports).toEqual({
      'store-1': [4240, 9240], gateway: [4241, 9241], orchestrator: [4242, 9242], scheduler: [4243, 9243],
      allocator: [4244, 9244], dispatcher: [4245, 9245], ca: [4246, 9246], 'agent-1': [4247, 9247],
      'store-2': [4248, 9248], 'store-3': [4249, 9249], 'scheduler-2': [4250, 9250], 'agent-2': [4251, 9251],
    });
  });

  it('shifts every port with the base port', () => {
    const shifted = makePlan({ stateDir, basePort: 20000 });
    expect(shifted.processes.map((p) => p.grpcPort).sort((a, b) => a - b)).toEqual([20000, 20001, 20002, 20003,
      20004, 20005, 20006, 20007, 20008, 20009]);
  });

  it('gives raft-store members their id, the member list, a data dir and their own certificate', () => {
    expect(byName('store-2').args).toEqual(expect.arrayContaining([
      '--node-id=2', '--members=1=127.0.0.1:4240,2=127.0.0.1:4248,3=127.0.0.1:4249',
      `--state-dir=${path.join(stateDir, 'data/store-2')}`, `--tls-cert-file=${path.join(stateDir, 'store-2/cert.pem')}`,
    ]));
  });

  it('points every control process at the three members with its role bundle', () => {
    for (const name of ['gateway', 'orchestrator', 'scheduler', 'scheduler-2', 'allocator', 'dispatcher', 'ca']) {
      expect(byName(name).args).toContain(`--store-endpoints=${plan.storeEndpoints}`);
    }
    expect(byName('scheduler-2').args).toContain(`--tls-key-file=${path.join(stateDir, 'scheduler/key.pem')}`);
    expect(byName('gateway').args).toContain(`--tls-ca-file=${path.join(stateDir, 'gateway/ca.pem')}`);
    expect(byName('ca').args).toContain(`--init-dir=${stateDir}`);
    expect(byName('gateway').args).toContain(`--docker-socket=${plan.dockerSocket}`);
    expect(plan.dockerSocket).toBe(path.join(stateDir, 'gateway/docker.sock'));
  });

  it('joins agents through the ca with the token in the environment, never on the command line', () => {
    const agent = byName('agent-2');
    expect(agent.args).toEqual(expect.arrayContaining(['--executor=docker', '--ca-endpoints=127.0.0.1:4246',
      '--dispatcher-endpoints=127.0.0.1:4245', '--hostname=box-2']));
    expect(agent.env).toEqual({ SHOAL_JOIN_TOKEN: 'SHLTKN-1-secret' });
    expect(agent.args.join(' ')).not.toContain('SHLTKN');
    expect(byName('agent-1').args).toContain('--hostname=box');
  });
});
