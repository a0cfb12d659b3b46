#!/usr/bin/env node
// Runs jest over the workspace (or over the e2e suite with --e2e) and prints one closing
// line `N passed, N failed` from jest's JSON totals: CI reads that line, not jest's summary.
// Extra arguments go to jest (e.g. a path filter, or --selectProjects raft).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const args = process.argv.slice(2);
const e2e = args.includes('--e2e');
const rest = args.filter((a) => a !== '--e2e');
const config = e2e ? 'e2e/jest.config.cjs' : 'jest.config.cjs';
const outFile = path.join(root, 'tmp', e2e ? 'jest-e2e.json' : 'jest-unit.json');
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.rmSync(outFile, { force: true });

const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(
  process.execPath,
  // --forceExit: a suite that leaks a handle (a failed test's loop, a socket) must not hang CI
  // after the results are in; jest still prints its "did not exit" warning.
  [jest, '--config', config, '--ci', '--forceExit', '--json', `--outputFile=${outFile}`, ...rest],
  { cwd: root, stdio: 'inherit', env: process.env },
);

let passed = 0;
let failed = 0;
if (fs.existsSync(outFile)) {
  const report = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + report.numRuntimeErrorTestSuites;
} else {
  failed = 1; // jest died before writing its report: count it, never hide it.
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
