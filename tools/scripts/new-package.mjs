// Scaffolds a workspace package with the project's conventions (ESM + types, `development`
// condition to source, split lib/spec tsconfigs, vitest JSON report). Usage:
//   node tools/scripts/new-package.mjs libs/ipam @lb/ipam "IP pools and allocation" [--private]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const [dir, name, description, ...flags] = process.argv.slice(2);
if (!dir || !name || !description) {
  console.error('usage: new-package.mjs <dir> <@lb/name> "<description>" [--private]');
  process.exit(2);
}
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir}/package.json already exists`);
  process.exit(2);
}
const isPrivate = flags.includes('--private');
const up = relative(dir, '.') || '.';
const short = name.split('/').pop();
const write = (file, content) => {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
};

write('package.json', {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  ...(isPrivate ? { private: true } : {}),
  type: 'module',
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      development: './src/index.ts',
      types: './dist/index.d.ts',
      default: './dist/index.js',
    },
    './package.json': './package.json',
  },
  // `src` ships too: the `development` condition points at it, and declaration maps lead to it.
  files: ['dist', 'src', '!**/*.test.ts', '!**/*.tsbuildinfo', 'README.md'],
  sideEffects: false,
  engines: { node: '>=20.19' },
  scripts: {
    lint: 'eslint .',
    test: 'vitest run',
    // Published packages record their public API (api/*.api.md); `check` fails when it is stale.
    ...(isPrivate
      ? {}
      : {
          check: 'node ../../tools/scripts/check-package.mjs && node ../../tools/scripts/api-report.mjs',
          'api-report': 'node ../../tools/scripts/api-report.mjs --update',
        }),
  },
  dependencies: {},
  nx: { name: short },
});
write('tsconfig.json', {
  extends: `${up}/tsconfig.base.json`,
  files: [],
  include: [],
  references: [{ path: './tsconfig.lib.json' }, { path: './tsconfig.spec.json' }],
});
write('tsconfig.lib.json', {
  extends: `${up}/tsconfig.base.json`,
  compilerOptions: {
    rootDir: 'src',
    outDir: 'dist',
    tsBuildInfoFile: 'dist/tsconfig.lib.tsbuildinfo',
    types: ['node'],
  },
  include: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts'],
  references: [],
});
write('tsconfig.spec.json', {
  extends: `${up}/tsconfig.base.json`,
  compilerOptions: {
    outDir: './out-tsc/spec',
    tsBuildInfoFile: './out-tsc/spec/tsconfig.tsbuildinfo',
    types: ['node'],
  },
  include: ['src/**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
  references: [{ path: './tsconfig.lib.json' }],
});
write('vitest.config.ts', `import { projectConfig } from '${up}/vitest.shared.mjs';\n\nexport default projectConfig('${short}');\n`);
write('src/index.ts', `// Public API of ${name}.\nexport {};\n`);
write('README.md', `# ${name}\n\n${description}\n`);
console.log(`created ${dir} (${name})`);
