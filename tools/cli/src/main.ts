#!/usr/bin/env node
// Entry point of the `shoal` command:
//   npx tsx --tsconfig tsconfig.base.json tools/cli/src/main.ts init --state-dir ./cluster
import { cryptoRandom } from '@shoal/runtime';
import { runCli } from './cli';

runCli(process.argv.slice(2), {
  now: () => Date.now(),
  random: cryptoRandom(),
  print: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Operators get one line; SHOAL_DEBUG=1 adds the stack for a bug report.
    const detail = process.env['SHOAL_DEBUG'] === '1' ? (err as Error).stack : (err as Error).message;
    process.stderr.write(`shoal: unexpected error: ${detail ?? String(err)}\n`);
    process.exitCode = 70;
  },
);
