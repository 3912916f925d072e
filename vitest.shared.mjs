// Shared vitest settings: every project reads workspace packages from source (the `development`
// export condition) and writes a JSON report that .ci/run sums into one "N passed, N failed" line.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';

const workspaceRoot = dirname(fileURLToPath(import.meta.url));
const conditions = ['development', 'module', 'node', 'import', 'default'];

/**
 * @param {string} projectName the Nx project name; the report goes to test-results/<name>.json
 * @param {import('vitest/config').ViteUserConfig} [overrides]
 */
export function projectConfig(projectName, overrides = {}) {
  const base = defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['development'] } },
    test: {
      name: projectName,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: join(workspaceRoot, 'test-results', `${projectName}.json`) }]],
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  });
  return mergeConfig(base, overrides);
}
