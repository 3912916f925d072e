// `npm start`: the main job on the embedded default — kube-sim, the controller, the seed examples
// applied with kubectl, and `kubectl get svc -A`. It keeps running for more kubectl; Ctrl-C stops it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const child = spawn(tsx, ['--conditions=development', join(root, 'apps/controller/demo/demo.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
