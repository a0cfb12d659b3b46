// Goal: the orchestrator, allocator and scheduler, two replicas each, keep their safety
// properties under random faults (node crashes and recoveries, drains, killed containers,
// scaling, active loop replicas killed) on a cluster of a thousand nodes, and converge once
// the faults stop: no slot runs twice, no task is assigned to a node that is not READY and
// ACTIVE, no node is over-reserved, every service ends with exactly its tasks running.
// Method: the real loops against an in-process store on a ManualClock; every choice comes
// from a SeededRandom, so a failing seed is printed and replays exactly with
// `npm run sim:loops -- --seed <s> --nodes 1000 --steps 100`.
import { runSeed } from './run-seed';

const SEEDS = [1, 2, 3];
const OPTIONS = { nodes: 1_000, faultSteps: 100 };

describe('loop simulation (fixed seeds)', () => {
  it.each(SEEDS)('seed %i keeps every property and converges', async (seed) => {
    const result = await runSeed(seed, OPTIONS);
    if (!result.ok) {
      console.log(`SEED=${seed}: replay with npm run sim:loops -- --seed ${seed} --nodes ${OPTIONS.nodes} ` +
        `--steps ${OPTIONS.faultSteps}\n${result.violations.map((v) => `${v.property}: ${v.detail}`).join('\n')}`);
    }
    expect(result.violations).toEqual([]);
    expect(result.tasks).toBeGreaterThan(OPTIONS.nodes);
    expect(Object.values(result.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    // About 10 s of CPU per seed; the wider timeout is for loaded CI machines.
  }, 180_000);
});
