#!/usr/bin/env node
// Checks the layering from Nx's own project graph (`nx graph --file`), independently of
// ESLint: no library depends on an app (e2e suites may), and no pure core (type:core) depends on anything but
// cores and the generated messages (type:proto). Prints every violation; exits 1 on any.
// NB: the graph does not say which file an edge comes from, so a core's edge to a
// `type:testing` lib is accepted here: only its specs may make it, which ESLint checks per file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-graph-')), 'graph.json');
execFileSync(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NX_DAEMON: 'false' },
});
const { nodes, dependencies } = JSON.parse(fs.readFileSync(file, 'utf8')).graph;
const tags = (name) => nodes[name]?.data?.tags ?? [];
const isApp = (name) => nodes[name]?.type === 'app';
// Whole-topology suites build and run the apps: they are the one kind of project that may depend on them.
const isE2e = (name) => nodes[name]?.type === 'e2e' || tags(name).includes('type:e2e');
const isCore = (name) => tags(name).includes('type:core');
const coreMayUse = (name) =>
  isCore(name) || tags(name).includes('type:proto') || tags(name).includes('type:testing');

const violations = [];
for (const [source, deps] of Object.entries(dependencies)) {
  if (!nodes[source]) continue;
  for (const { target } of deps) {
    if (!nodes[target]) continue; // npm packages
    if (!isApp(source) && !isE2e(source) && isApp(target)) violations.push(`${source} (lib) imports app ${target}`);
    if (isCore(source) && !coreMayUse(target)) {
      violations.push(`${source} (type:core) imports ${target} (${tags(target).join(', ')})`);
    }
  }
}
const projects = Object.keys(nodes).length;
const edges = Object.values(dependencies).flat().filter((d) => nodes[d.target]).length;
if (violations.length > 0) {
  console.error(`graph: ${violations.length} layering violation(s):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(`graph: ${projects} projects, ${edges} internal dependencies, no lib imports an app, `
  + 'no core imports an adapter');
