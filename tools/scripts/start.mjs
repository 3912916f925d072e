// `npm start`: the main job on the embedded default. As root: the network lab with kube-sim, the
// controller and a speaker per node, every seed's promise shown end to end (apps/controller/demo/
// lab-demo.ts). Otherwise (or with --allocation-only): kube-sim, the controller, the seed examples
// applied with kubectl and `kubectl get svc -A` (apps/controller/demo/demo.ts).
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
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
// The network scenes build namespaces, links and bridges: that takes CAP_NET_ADMIN and
// CAP_SYS_ADMIN (root). Without them the allocation part still shows what the controller does.
function hasCapabilities(...bits) {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapEff:'));
    const mask = BigInt(`0x${line.split(/\s+/)[1]}`);
    return bits.every((bit) => (mask >> BigInt(bit)) & 1n);
  } catch {
    return false;
  }
}
const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;
const args = process.argv.slice(2);
const network = !args.includes('--allocation-only') && hasCapabilities(CAP_NET_ADMIN, CAP_SYS_ADMIN);
if (!network && !args.includes('--allocation-only')) {
  process.stderr.write('npm start: not root (no CAP_NET_ADMIN), so the network scenes (nodes, speakers, curl, failover) are skipped; `sudo npm start` runs them. Showing the address allocation only.\n');
}
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const entry = network ? 'apps/controller/demo/lab-demo.ts' : 'apps/controller/demo/demo.ts';
const child = spawn(tsx, ['--conditions=development', join(root, entry), ...args.filter((a) => a !== '--allocation-only')], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
