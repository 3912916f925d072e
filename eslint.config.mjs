// One flat config for the whole workspace: typescript-eslint's type-aware rules on sources and
// tests, and the module boundaries (which package may import which) and no import cycles.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lb from './tools/lint-rules/plugin.mjs';

const root = dirname(fileURLToPath(import.meta.url));

/** Names of the workspace packages under `dir` (apps, tools), read from their package.json. */
function packagesIn(dir) {
  const at = join(root, dir);
  return readdirSync(at)
    .filter((name) => existsSync(join(at, name, 'package.json')))
    .map((name) => JSON.parse(readFileSync(join(at, name, 'package.json'), 'utf8')).name);
}

const apps = packagesIn('apps');
const tools = packagesIn('tools');
const forbid = (names, message) => names.map((name) => ({ group: [name, `${name}/*`], message }));
const noApp = forbid(apps, 'Nothing imports an app: apps are compositions at the top; move what is shared into a library.');
const noTool = forbid(tools, 'Tools (kube-sim, netlab, bench-kit, testdata) are for tests, benchmarks, examples and demos, never for a package\'s src.');

/** Production code: what a package ships and runs. Tests, benchmarks, examples and demos are not. */
const shipped = (kind) => ({ files: [`${kind}/*/src/**/*.ts`], ignores: ['**/*.test.ts', '**/*.test.mts'] });

export default tseslint.config(
  {
    // lint-fixtures holds deliberate violations; tools/lint-rules lints them on purpose in its test.
    ignores: ['**/dist/**', '**/out-tsc/**', '**/node_modules/**', '**/*.d.ts', 'charts/**', 'bench-results/**', 'test-results/**', '**/lint-fixtures/**', '**/.readme-example/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // No import cycles inside a package, type-only imports included (packages themselves form no
    // cycle: Nx refuses one), and no relative path into another package (tools/lint-rules).
    files: ['**/*.ts', '**/*.mts'],
    plugins: { lb },
    rules: { 'lb/no-import-cycle': 'error', 'lb/no-relative-packages': 'error' },
  },
  {
    // Module boundaries. Nothing imports an app. Tests, benchmarks, examples, demos and tools may
    // use tools...
    files: ['**/*.ts', '**/*.mts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noApp }] },
  },
  {
    // ...but what a library or an app ships imports only libraries.
    ...shipped('libs'),
    rules: { 'no-restricted-imports': ['error', { patterns: [...noApp, ...noTool] }] },
  },
  {
    ...shipped('apps'),
    rules: { 'no-restricted-imports': ['error', { patterns: [...noApp, ...noTool] }] },
  },
  {
    // Packages name their exports; `export *` hides what a package promises.
    files: ['**/src/index.ts', '**/src/*/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name each export in src/index.ts (no `export *`).' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
