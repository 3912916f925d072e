// `npm start`: the main job on the embedded default. Until the controller lands, the @lb/ipam tour.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const result = spawnSync(tsx, ['--conditions=development', join(root, 'libs/ipam/examples/allocate.ts')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
