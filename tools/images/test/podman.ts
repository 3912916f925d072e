// Building the images (once per test file) and driving podman with the committed containers.conf.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const imagesDir = join(import.meta.dirname, '..');
export const containersConf = join(imagesDir, 'containers.conf');
const env = { ...process.env, CONTAINERS_CONF: containersConf };
/** The images:test target depends on the programs' builds, so the script need not run Nx again. */
const buildEnv = { ...env, LB_IMAGES_BUILT: '1' };

export async function podman(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return (await run('podman', args, { encoding: 'utf8', env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** podman, for a command whose exit code the test wants rather than an exception. */
export async function podmanStatus(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface BuildReport {
  /** The build itself, as build-images.sh measured it (without waiting for the lock). */
  readonly seconds: number;
  /** Including the wait for the benchmark lock. */
  readonly wallSeconds: number;
  readonly log: string;
  /** Compressed OCI archive size per image, bytes. */
  readonly compressedBytes: Readonly<Record<'controller' | 'speaker', number>>;
}

/** Runs build/build-images.sh (under the machine's benchmark lock: it is CPU-heavy) and saves the archives in `dir`. */
export async function buildImages(dir: string): Promise<BuildReport> {
  for (const tool of ['buildah', 'podman', 'mmdebstrap', 'runc', 'setcap']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} is missing: tools/bootstrap.sh installs the image tools (buildah podman runc mmdebstrap libcap2-bin)`);
    }
  }
  const { statSync } = await import('node:fs');
  const size = (from: string, name: string): number => statSync(join(from, `lb-${name}.oci.tar.gz`)).size;
  // For working on the tests: LB_IMAGES_REUSE=DIR takes the images already in podman's storage
  // and their archives in DIR (from `build-images.sh --save DIR`) instead of building.
  const reuse = process.env['LB_IMAGES_REUSE'];
  if (reuse) return { seconds: NaN, wallSeconds: 0, log: 'reused', compressedBytes: { controller: size(reuse, 'controller'), speaker: size(reuse, 'speaker') } };
  const started = performance.now();
  let log: string;
  try {
    log = (await run('flock', ['/tmp/lb-bench.lock', 'bash', join(imagesDir, 'build', 'build-images.sh'), '--save', dir], { encoding: 'utf8', env: buildEnv, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`build-images.sh failed:\n${e.stdout ?? ''}\n${e.stderr ?? String(error)}`);
  }
  const seconds = Number(/build-images: done in ([\d.]+) s/.exec(log)?.[1] ?? NaN);
  return { seconds, wallSeconds: (performance.now() - started) / 1000, log, compressedBytes: { controller: size(dir, 'controller'), speaker: size(dir, 'speaker') } };
}

/** Every file under /app of an image, listed by the image's own node. */
export async function appFiles(image: string): Promise<string[]> {
  const script = "const fs=require('fs'),p=require('path');const walk=(d)=>fs.readdirSync(d,{withFileTypes:true}).flatMap((e)=>e.isDirectory()?walk(p.join(d,e.name)):[p.join(d,e.name)]);console.log(walk('/app').join('\\n'))";
  return (await podman(['run', '--rm', '--network=none', '--entrypoint', '/usr/local/bin/node', image, '-e', script])).trim().split('\n');
}
