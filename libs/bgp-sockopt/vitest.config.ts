import { projectConfig } from '../../vitest.shared.mjs';

// The tests are .mts: this package is CommonJS (its main is the .node file).
export default projectConfig('bgp-sockopt', { test: { include: ['test/**/*.test.mts'] } });
