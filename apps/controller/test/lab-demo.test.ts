// `npm start`'s entry point (tools/scripts/start.mjs) run as a user runs it: as root it builds the
// network lab and walks through every seed; as an unprivileged user it says what it skips and shows
// the allocation only. Needs root and the lab's tools (CI runs as root): fails loudly otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireNetworkLab } from '@lb/netlab';

const root = join(import.meta.dirname, '..', '..', '..');
const start = join(root, 'tools', 'scripts', 'start.mjs');

function demoNamespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('demo'));
}

describe('npm start as root: the network demo', () => {
  let output = '';
  let exitCode: number | null = null;
  let namespacesWhileUp: string[] = [];

  beforeAll(async () => {
    requireNetworkLab(['curl', 'nft', 'vtysh']);
    // --keep, then Ctrl-C once the summary is out: the run and the cleanup are both checked.
    const child = spawn(process.execPath, [start, '--keep'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 150_000;
    while (!output.includes('Ctrl-C removes every namespace') && child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    namespacesWhileUp = demoNamespaces();
    child.kill('SIGINT');
    exitCode = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  }, 200_000);

  afterAll(() => {
    // Whatever a failed run left behind.
    for (const ns of demoNamespaces()) spawnSync('ip', ['netns', 'delete', ns]);
  });

  it('reaches the summary with every scene as promised', () => {
    expect(output, output).toContain('Ctrl-C removes every namespace');
    expect(output, output).toMatch(/(\d+) of \1 scenes as promised/);
    expect(output).not.toContain('✘');
  });

  it("gives seed 000's ingress 10.220.2.214 and reaches it from the client", () => {
    expect(output).toMatch(/✔ 10\.220\.2\.214 layer 2, announced by lb-node-\d; curl answered by lb-node-\d/);
  });

  it("refuses seed 001's typo with the webhook's message, then serves nginx at 172.16.16.150", () => {
    expect(output).toMatch(/172\.16\.16\.150-172\.16\.16\.20/);
    expect(output).toMatch(/denied the request|admission webhook/i);
    expect(output).toMatch(/✔ 172\.16\.16\.150 layer 2, announced by lb-node-\d; curl answered by lb-node-\d/);
  });

  it("announces seed 003's three addresses from three different nodes", () => {
    const line = /✔ (\S+), (\S+), (\S+) layer 2, announced by (lb-node-\d), (lb-node-\d), (lb-node-\d)/.exec(output);
    expect(line, output).not.toBeNull();
    expect(new Set(line?.slice(4, 7)).size).toBe(3);
  });

  it('advertises seed 004 over BGP with the community and local preference in FRR, reached from behind the router', () => {
    expect(output).toMatch(/local preference 150; communities 64512:100/);
    expect(output).toMatch(/✔ 192\.168\.1\.\d+ BGP, announced by lb-node-\d/);
  });

  it("fails over within the budget: owner speaker killed, owner node dead (layer 2), advertising node dead (BGP + BFD)", () => {
    const gaps = [...output.matchAll(/longest gap (\d+) ms/g)].map((m) => Number(m[1]));
    expect(gaps.length, output).toBe(3);
    for (const gap of gaps) expect(gap).toBeLessThan(1000);
  });

  it('removes every namespace and process on Ctrl-C', () => {
    expect(namespacesWhileUp.length).toBeGreaterThan(0);
    expect(exitCode).not.toBeNull();
    expect(demoNamespaces()).toEqual([]);
    // Every process the demo starts names its work directory (config, key, data): none may remain.
    const workDir = /Logs: (\S+)\/logs/.exec(output)?.[1];
    expect(workDir, output).toBeDefined();
    const left = spawnSync('pgrep', ['-af', workDir as string], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
  });
});

describe('npm start without root', () => {
  it('says in one line what it skips and shows the allocation only', () => {
    const home = mkdtempSync(join(tmpdir(), 'lb-demo-nonroot-'));
    const { uid, gid } = { uid: 65534, gid: 65534 };
    chownSync(home, uid, gid);
    try {
      const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', process.execPath, start, '--once', '--data-dir', join(home, 'data')], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, HOME: home, TMPDIR: home, FORCE_COLOR: '0' },
        timeout: 120_000,
      });
      const out = `${r.stdout}${r.stderr}`;
      expect(out).toContain('npm start: not root (no CAP_NET_ADMIN), so the network scenes (nodes, speakers, curl, failover) are skipped; `sudo npm start` runs them.');
      expect(r.status, out).toBe(0);
      expect(out).toMatch(/nginx-service\s+LoadBalancer\s+\S+\s+172\.16\.16\.150/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});
