import { accessSync, constants, statSync } from 'node:fs';

/**
 * Fails loudly when the machine cannot run network tests: protocol tests never skip silently.
 * CI runs as root with the Debian packages from tools/bootstrap.sh installed.
 */
export function requireNetworkLab(tools: readonly string[] = []): void {
  const problems: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push('network namespace tests need root (CI runs as root)');
  }
  for (const tool of ['ip', ...tools]) {
    if (!findExecutable(tool)) problems.push(`'${tool}' is not installed (run tools/bootstrap.sh)`);
  }
  if (problems.length > 0) throw new Error(`network lab unavailable:\n  - ${problems.join('\n  - ')}`);
}

/** Absolute path of an executable found on PATH or in the sbin/libexec places Debian uses. */
export function findExecutable(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/lib/frr'];
  for (const dir of dirs) {
    if (dir && isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
