/**
 * The loop simulator's command line: `npm run sim:loops -- [options]`.
 *
 *   --seeds N     run N seeds (default 10), starting at --seed (default 1)
 *   --seed S      the first seed; alone (without --seeds) it replays that one seed verbosely
 *   --nodes K     simulated nodes (default LOOP_SIM_LIMITS.nodesDefault)
 *   --services M  replicated services (default LOOP_SIM_LIMITS.servicesDefault)
 *   --steps T     steps of the fault phase (default LOOP_SIM_LIMITS.faultStepsDefault)
 *
 * Prints one line per seed, `SEED=<s>` and the violations for every failing seed, and a
 * summary as one JSON line; exits 1 if any seed failed. The wall clock is read only to
 * report runtime.
 */
import { runSeed, type SimOptions } from './run-seed';

function parseArgs(argv: readonly string[]): { seeds: number; first: number; options: SimOptions } {
  const values = new Map<string, number>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] as string;
    const n = Number(argv[i + 1]);
    if (!name.startsWith('--') || !Number.isSafeInteger(n)) throw new Error(`bad argument ${name} ${argv[i + 1]}`);
    values.set(name, n);
  }
  const first = values.get('--seed');
  const seeds = values.get('--seeds') ?? (first === undefined ? 10 : 1);
  return {
    seeds, first: first ?? 1,
    options: { nodes: values.get('--nodes'), services: values.get('--services'),
      faultSteps: values.get('--steps'), verbose: first !== undefined && !values.has('--seeds') },
  };
}

async function main(): Promise<void> {
  const { seeds, first, options } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const failed: number[] = [];
  for (let seed = first; seed < first + seeds; seed++) {
    const t0 = Date.now();
    const r = await runSeed(seed, options);
    console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAILED'} steps=${r.steps} virtual=${r.virtualMs} ms ` +
      `tasks=${r.tasks} faults=${JSON.stringify(r.faults)} (${Date.now() - t0} ms)`);
    if (!r.ok) {
      failed.push(seed);
      console.log(`SEED=${seed}`);
      for (const v of r.violations.slice(0, 10)) console.log(`  ${v.property}: ${v.detail}`);
    }
  }
  console.log(JSON.stringify({ seeds, first, failed, wallMs: Date.now() - started }));
  if (failed.length > 0) process.exitCode = 1;
}

void main();
