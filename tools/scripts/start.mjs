// `npm start`: the main job on the embedded default — kube-sim, the controller, the seed examples
// applied with kubectl, and `kubectl get svc -A`. It keeps running for more kubectl; Ctrl-C stops it.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
// tsx keeps its cache there and kube-sim its kubeconfig: say so now rather than fail deep inside.
const temp = tmpdir();
try {
  if (!statSync(temp).isDirectory()) throw new Error('not a directory');
  accessSync(temp, constants.W_OK);
} catch (error) {
  process.stderr.write(`npm start: the temporary directory ${temp} (TMPDIR) is not a writable directory (${error.message}); point TMPDIR at one\n`);
  process.exit(1);
}
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const child = spawn(tsx, ['--conditions=development', join(root, 'apps/controller/demo/demo.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
