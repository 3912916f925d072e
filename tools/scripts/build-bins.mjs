// `npm install`'s prepare step: builds every workspace package that has a `bin` (and, through Nx,
// the libraries it needs), so that each documented command runs on a fresh clone right after
// install. Bins run the built JavaScript in dist/; nothing is compiled at run time. Nx caches the
// builds, so when nothing changed this takes a few seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const projects = [];
for (const group of ['apps', 'tools', 'libs']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.bin) projects.push(pkg.nx?.name ?? pkg.name);
  }
}
if (projects.length === 0) process.exit(0);

const nx = join(root, 'node_modules', '.bin', 'nx');
if (!existsSync(nx)) {
  process.stderr.write(`build-bins: ${nx} is missing; install the development dependencies (npm install without --omit=dev) to build ${projects.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`build-bins: building ${projects.join(', ')} (and what they use)\n`);
const result = spawnSync(nx, ['run-many', '-t', 'build', '-p', ...projects, '--outputStyle=static'], {
  cwd: root,
  stdio: 'inherit',
  // No daemon left behind by an install; Nx Cloud is never asked.
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
});
if (result.error) {
  process.stderr.write(`build-bins: could not run nx: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
