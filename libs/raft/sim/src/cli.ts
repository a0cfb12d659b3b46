/**
 * The raft simulator's command line: `npm run sim:raft -- [options]`.
 *
 *   --seeds N      run N seeds (default 100), starting at --seed (default 1)
 *   --seed S       the first seed; alone (without --seeds) it replays that one seed verbosely
 *   --steps T      ticks of the safety phase (default SIM_LIMITS.safetyTicksDefault)
 *   --nodes K      founding cluster size (default: 3 or 5, drawn per seed)
 *   --mutation M   run a deliberately broken variant (see mutations.ts)
 *   --no-lin       skip the linearizability check
 *
 * Prints progress now and then, `SEED=<s>` for every failing seed, and a final summary as
 * one JSON line; exits 1 if any seed failed. The clock is read only to report runtime.
 */
import { Mutation } from './mutations';
import { runSeed, SeedResult } from './run-seed';
import type { SimOptions } from './scenario';

interface CliArgs {
  seeds: number;
  firstSeed: number;
  replay: boolean;
  options: SimOptions;
}

const PROGRESS_EVERY_MS = 10_000;

function parseArgs(argv: readonly string[]): CliArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.add(arg);
    else {
      values.set(arg, next);
      i++;
    }
  }
  const int = (name: string): number | undefined => {
    const text = values.get(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new Error(`${name} needs an integer, got ${text}`);
    return n;
  };
  const options: SimOptions = { linearizability: !flags.has('--no-lin') };
  const steps = int('--steps');
  const nodes = int('--nodes');
  const mutation = values.get('--mutation');
  if (steps !== undefined) options.steps = steps;
  if (nodes !== undefined) options.nodes = nodes;
  if (mutation !== undefined) {
    if (!Object.values(Mutation).includes(mutation as Mutation)) throw new Error(`unknown mutation ${mutation}`);
    options.mutation = mutation as Mutation;
  }
  const seedsGiven = int('--seeds');
  const firstSeed = int('--seed');
  return {
    seeds: seedsGiven ?? (firstSeed === undefined ? 100 : 1),
    firstSeed: firstSeed ?? 1,
    replay: firstSeed !== undefined && seedsGiven === undefined,
    options,
  };
}

function printFailure(result: SeedResult, verbose: boolean): void {
  const f = result.failure;
  if (f === undefined) return;
  console.log(`SEED=${result.seed} FAILED at tick ${f.step}: ${f.invariant}: ${f.detail}`);
  if (verbose) {
    console.log(`scenario ${JSON.stringify(result.scenario)}`);
    console.log('trace tail:');
    for (const line of f.traceTail) console.log(`  ${line}`);
  }
}

function main(argv: readonly string[]): number {
  const args = parseArgs(argv);
  const started = performance.now();
  let lastProgress = started;
  const failures: { seed: number; invariant: string; detail: string }[] = [];
  const unknownSeeds: number[] = [];
  let ticks = 0;
  for (let k = 0; k < args.seeds; k++) {
    const seed = args.firstSeed + k;
    const result = runSeed(seed, args.options);
    ticks += result.steps;
    if (result.linearizability === 'unknown') unknownSeeds.push(seed);
    if (result.failure !== undefined) {
      failures.push({ seed, invariant: result.failure.invariant, detail: result.failure.detail });
      printFailure(result, args.replay);
    } else if (args.replay) {
      console.log(`SEED=${seed} ok: ${JSON.stringify({ ...result.stats, traceHash: result.traceHash })}`);
    }
    const now = performance.now();
    if (now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      const seconds = ((now - started) / 1000).toFixed(1);
      console.log(`progress: ${k + 1}/${args.seeds} seeds, ${failures.length} failed, ${seconds} s`);
    }
  }
  const summary = {
    seedsRun: args.seeds,
    firstSeed: args.firstSeed,
    failed: failures.length,
    failures,
    linearizabilityUnknown: unknownSeeds.length,
    linearizabilityUnknownSeeds: unknownSeeds.slice(0, 20),
    ticksSimulated: ticks,
    runtimeMs: Math.round(performance.now() - started),
    options: args.options,
  };
  console.log(JSON.stringify(summary));
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
