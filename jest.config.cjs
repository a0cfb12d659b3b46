// The workspace's unit and integration tests: every project's jest.config.cjs under apps/,
// libs/ and tools/ (the e2e suite has its own run), in one jest process pool.
// `npm test` drives it through tools/scripts/run-tests.mjs.
const fs = require('node:fs');
const path = require('node:path');

function findProjects(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findProjects(full, out);
    else if (entry.name === 'jest.config.cjs') out.push(dir);
  }
  return out;
}

const projects = ['apps', 'libs', 'tools']
  .filter((d) => fs.existsSync(path.join(__dirname, d)))
  .flatMap((d) => findProjects(path.join(__dirname, d), []))
  .map((d) => `<rootDir>/${path.relative(__dirname, d)}`)
  .sort();

// testTimeout is a global option: project configs cannot set it when run together.
module.exports = { projects, testTimeout: 60_000 };
