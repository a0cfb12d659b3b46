// Maps every `@shoal/*` alias of tsconfig.base.json to its source, so jest resolves
// workspace libraries exactly as tsc does. One source of truth: the tsconfig paths.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '../..');
const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const mapper = {};
for (const [alias, targets] of Object.entries(base.compilerOptions.paths ?? {})) {
  const escaped = alias.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('\\*', '(.*)').replace('*', '(.*)');
  mapper[`^${escaped}$`] = path.join(root, targets[0]).replace('*', '$1');
}
module.exports = mapper;
