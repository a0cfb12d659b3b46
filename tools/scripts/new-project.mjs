#!/usr/bin/env node
// Scaffolds one Nx project (lib or app) the way every Shoal project is laid out, and
// registers its `@shoal/*` import alias in tsconfig.base.json.
//
//   node tools/scripts/new-project.mjs lib libs/shared/assert assert @shoal/assert type:core,scope:shared
//   node tools/scripts/new-project.mjs app apps/scheduler scheduler - type:app,scope:scheduler
import fs from 'node:fs';
import path from 'node:path';

const [kind, dir, name, alias, tagList] = process.argv.slice(2);
if (!['lib', 'app'].includes(kind) || !dir || !name || !alias || !tagList) {
  console.error('usage: new-project.mjs lib|app <dir> <name> <@shoal/alias|-> <tag,tag>');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const abs = path.join(root, dir);
const up = path.relative(abs, root) || '.';
const tags = tagList.split(',');
const write = (file, content) => {
  const p = path.join(abs, file);
  if (fs.existsSync(p)) return;
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
};

const project = {
  name,
  $schema: `${up}/node_modules/nx/schemas/project-schema.json`,
  sourceRoot: `${dir}/src`,
  projectType: kind === 'app' ? 'application' : 'library',
  tags,
  targets: {},
};
if (kind === 'app') {
  project.targets.build = {
    executor: '@nx/esbuild:esbuild',
    outputs: ['{options.outputPath}'],
    options: {
      main: `${dir}/src/main.ts`,
      outputPath: `dist/${dir}`,
      tsConfig: `${dir}/tsconfig.app.json`,
      platform: 'node',
      format: ['cjs'],
      bundle: true,
      thirdParty: false,
      generatePackageJson: true,
      sourcemap: true,
      esbuildOptions: { outExtension: { '.js': '.js' }, keepNames: true },
    },
  };
  project.targets.serve = {
    executor: 'nx:run-commands',
    dependsOn: ['build'],
    options: { command: `node dist/${dir}/main.js` },
  };
}
write('project.json', project);
write('tsconfig.json', {
  extends: `${up}/tsconfig.base.json`,
  files: [],
  include: [],
  references: [{ path: kind === 'app' ? './tsconfig.app.json' : './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
});
write(kind === 'app' ? 'tsconfig.app.json' : 'tsconfig.lib.json', {
  extends: './tsconfig.json',
  compilerOptions: { outDir: `${up}/dist/out-tsc`, types: ['node'] },
  include: ['src/**/*.ts'],
  exclude: ['src/**/*.spec.ts', 'src/**/testdata/**'],
});
write('tsconfig.spec.json', {
  extends: './tsconfig.json',
  compilerOptions: { outDir: `${up}/dist/out-tsc`, types: ['jest', 'node'] },
  include: ['src/**/*.ts'],
});
write('jest.config.cjs', `module.exports = {\n  displayName: '${name}',\n  preset: '${up}/jest.preset.cjs',\n  rootDir: __dirname,\n};\n`);
if (kind === 'lib') write('src/index.ts', `// Public surface of ${alias}.\nexport {};\n`);

if (alias !== '-') {
  const basePath = path.join(root, 'tsconfig.base.json');
  const base = JSON.parse(fs.readFileSync(basePath, 'utf8'));
  base.compilerOptions.paths = { ...base.compilerOptions.paths, [alias]: [`${dir}/src/index.ts`] };
  const sorted = Object.fromEntries(Object.entries(base.compilerOptions.paths).sort(([a], [b]) => a.localeCompare(b)));
  base.compilerOptions.paths = sorted;
  fs.writeFileSync(basePath, JSON.stringify(base, null, 2) + '\n');
}
console.log(`created ${kind} ${name} at ${dir}`);
