// Lint for the whole workspace. Two jobs beyond style: the Nx module boundaries (tags in two
// dimensions, aesthetics.md §7 points 35-37) and the fence around pure cores: a project tagged
// `type:core` may not reach the clock, randomness, timers, the process or any node:* module.
import nx from '@nx/eslint-plugin';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);

/** Project roots whose project.json carries the given tag, found by walking apps/ and libs/. */
function projectRootsTagged(tag) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const projectFile = path.join(full, 'project.json');
      if (fs.existsSync(projectFile)) {
        const tags = JSON.parse(fs.readFileSync(projectFile, 'utf8')).tags ?? [];
        if (tags.includes(tag)) found.push(path.relative(root, full));
      }
      walk(full);
    }
  };
  for (const top of ['apps', 'libs']) if (fs.existsSync(path.join(root, top))) walk(path.join(root, top));
  return found;
}

const coreRoots = projectRootsTagged('type:core');

/** Test-only packages that any project's tests may import, pure cores' tests included. */
const testPackages = ['fast-check', '@jest/globals'];

/**
 * boundaries builds the @nx/enforce-module-boundaries options: tags in two dimensions (type and
 * scope, aesthetics.md §7 points 35-37). `extraCoreImports` widens what a pure core may import
 * and `forTests` lets a core's tests use `type:testing` libs; its production code may not.
 */
function boundaries(extraCoreImports, forTests = false) {
  const coreTags = forTests ? ['type:core', 'type:proto', 'type:testing'] : ['type:core', 'type:proto'];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:core', onlyDependOnLibsWithTags: coreTags,
        allowedExternalImports: ['@bufbuild/protobuf', '@bufbuild/protobuf/*', ...extraCoreImports] },
      { sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: ['type:core', 'type:proto', 'type:grpc', 'type:adapter'] },
      { sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:core', 'type:proto', 'type:grpc', 'type:adapter'] },
      { sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:core', 'type:proto', 'type:adapter', 'type:testing'] },
      { sourceTag: 'type:proto', onlyDependOnLibsWithTags: ['type:proto'] },
      { sourceTag: 'type:grpc', onlyDependOnLibsWithTags: ['type:proto', 'type:grpc'] },
      { sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: ['type:core', 'type:grpc', 'type:proto', 'type:adapter', 'type:testing'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:raft', onlyDependOnLibsWithTags: ['scope:raft', 'scope:shared'] },
      { sourceTag: 'scope:store', onlyDependOnLibsWithTags: ['scope:store', 'scope:raft', 'scope:store-api', 'scope:ca', 'scope:shared'] },
      { sourceTag: 'scope:store-api', onlyDependOnLibsWithTags: ['scope:store-api', 'scope:shared'] },
      { sourceTag: 'scope:orchestrator', onlyDependOnLibsWithTags: ['scope:orchestrator', 'scope:store-api', 'scope:shared'] },
      { sourceTag: 'scope:scheduler', onlyDependOnLibsWithTags: ['scope:scheduler', 'scope:store-api', 'scope:shared'] },
      { sourceTag: 'scope:allocator', onlyDependOnLibsWithTags: ['scope:allocator', 'scope:store-api', 'scope:shared'] },
      { sourceTag: 'scope:dispatcher', onlyDependOnLibsWithTags: ['scope:dispatcher', 'scope:store-api', 'scope:ca', 'scope:shared'] },
      { sourceTag: 'scope:ca', onlyDependOnLibsWithTags: ['scope:ca', 'scope:store-api', 'scope:shared'] },
      { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:agent', 'scope:ca', 'scope:shared'] },
      { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:store-api', 'scope:ca', 'scope:shared'] },
    ],
  };
}
const nodeBuiltins = ['fs', 'path', 'os', 'net', 'http', 'https', 'http2', 'crypto', 'child_process',
  'timers', 'dgram', 'dns', 'tls', 'worker_threads', 'cluster', 'process', 'perf_hooks', 'stream'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', 'libs/proto/src/gen/**',
      'libs/proto-grpc/src/gen/**', '**/*.gen.ts'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries([])],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may use test-only packages, in pure cores too.
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(testPackages, true)] },
  },
  {
    // Size and shape (style guide point 17): production functions stay short.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testdata/**', 'e2e/**', 'tools/**'],
    rules: {
      'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The fence around pure cores (style guide points 2 and 37).
    files: coreRoots.map((r) => `${r}/src/**/*.ts`),
    ignores: ['**/*.spec.ts', '**/testdata/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['node:*'], message: 'pure core: no node modules; take a port instead' }],
        paths: nodeBuiltins.map((name) => ({ name, message: 'pure core: no node modules' })),
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'pure core: take a Clock or a `now` argument' },
        { object: 'Math', property: 'random', message: 'pure core: take a Random' },
        { object: 'performance', property: 'now', message: 'pure core: take a Clock' },
      ],
      'no-restricted-globals': ['error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval',
          'queueMicrotask', 'process', 'crypto', 'Buffer', 'performance', 'fetch', 'require']
          .map((name) => ({ name, message: `pure core: no ${name}` })),
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'pure core: `new Date()` reads the clock; take a Clock' },
      ],
    },
  },
];
