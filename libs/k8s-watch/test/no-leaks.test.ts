// After stop(), nothing of the library may keep the process alive: a child process uses every
// part against kube-sim, stops it all, and must then exit by itself.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { start } from '@lb/kube-sim';
import { describe, expect, it } from 'vitest';

describe('stop() leaves no timers or sockets', () => {
  it('the process exits by itself after everything is stopped', { timeout: 60_000 }, async () => {
    const sim = await start();
    try {
      for (let i = 0; i < 5; i++) await sim.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', join(import.meta.dirname, 'fixtures', 'lifecycle.ts')], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, KUBECONFIG: sim.kubeconfigPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | string>((resolve) => {
        // Generous for a loaded machine; the child reports what it left behind if it hangs.
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('did not exit');
        }, 30_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c ?? 'signal');
        });
      });
      expect({ code, err: err.trim() }).toEqual({ code: 0, err: '' });
      const report = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { leader: boolean; synced: boolean; missingSynced: boolean; objects: number; left: string[] };
      expect(report).toEqual({ leader: true, synced: true, missingSynced: false, objects: 5, left: [] });
      expect(sim.watchCount).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});
