#!/usr/bin/env node
// proto-breaking: fails if proto/ (as in the working tree) breaks compatibility with proto/ at a
// previous commit, using `buf breaking` with the rules in proto/buf.yaml (FILE).
//
//   node tools/scripts/proto-breaking.mjs                   against HEAD~1
//   node tools/scripts/proto-breaking.mjs --against <ref>   against any commit-ish (origin/main)
//
// The previous proto/ is extracted with `git archive` into a temp dir, so it works in any clone
// that has the commit. Exits 0 with a note when there is nothing to compare against: no HEAD~1
// (first commit, shallow clone) or no .proto files under proto/ at the ref. An explicit
// --against ref that does not resolve is an error (exit 2), so a typo cannot pass silently.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUF = path.join(ROOT, 'node_modules/.bin/buf');
const PROTO_DIR = 'proto';

function git(args, options = {}) {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', ...options });
}

function againstRef() {
  const i = process.argv.indexOf('--against');
  if (i === -1) return undefined;
  const ref = process.argv[i + 1];
  if (!ref) {
    console.error('proto-breaking: --against needs a git ref');
    process.exit(2);
  }
  return ref;
}

/** Resolves a ref to a commit id, or undefined if this clone does not have it. */
function resolveCommit(ref) {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function main() {
  const explicit = againstRef();
  const ref = explicit ?? 'HEAD~1';
  const commit = resolveCommit(ref);
  if (commit === undefined && explicit !== undefined) {
    console.error(`proto-breaking: ${ref} does not name a commit in this clone.`);
    process.exit(2);
  }
  if (commit === undefined) {
    console.log(`proto-breaking: ${ref} is not in this clone; nothing to compare against.`);
    return;
  }
  const listed = git(['ls-tree', '-r', '--name-only', commit, '--', `${PROTO_DIR}/`]);
  const protos = listed.split('\n').filter((f) => f.endsWith('.proto'));
  if (protos.length === 0) {
    console.log(`proto-breaking: ${ref} (${commit.slice(0, 12)}) has no ${PROTO_DIR}/; skipped.`);
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-proto-breaking-'));
  try {
    const archive = git(['archive', '--format=tar', commit, `${PROTO_DIR}/`], {
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', tmp], { input: archive });
    const against = path.join(tmp, PROTO_DIR);
    const r = spawnSync(BUF, ['breaking', PROTO_DIR, '--against', against], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      console.error(`proto-breaking: ${PROTO_DIR}/ breaks compatibility with ${ref}.`);
      process.exitCode = r.status ?? 1;
      return;
    }
    const at = `${ref} (${commit.slice(0, 12)})`;
    console.log(`proto-breaking: ${PROTO_DIR}/ is compatible with ${at}.`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
