// lbctl's binary offline on the documents users bring: MetalLB's published configuration samples
// and the seed examples, each as its own file (they reuse names between files).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metallbSamplesDir } from '@lb/testdata';
import { lbctl, repoRoot } from './harness.js';

const samples = readdirSync(metallbSamplesDir()).filter((f) => f.endsWith('.yaml'));
const seeds = join(repoRoot, 'examples', 'seeds');
const seedFiles = readdirSync(seeds).filter((f) => f.endsWith('.yaml'));
/** Seeds that are wrong on purpose (the typo their document tells how to find). */
const BROKEN_SEEDS = new Set(['001-cheap-pool-typo.yaml']);

describe('lbctl validate, offline', () => {
  expect(samples.length).toBeGreaterThan(0);
  expect(seedFiles.length).toBeGreaterThan(0);

  it.each(samples)("accepts MetalLB's sample %s", async (file) => {
    const r = await lbctl(['validate', '-f', join(metallbSamplesDir(), file)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it.each(seedFiles)('seed %s', async (file) => {
    const r = await lbctl(['validate', '-f', join(seeds, file)]);
    expect(r.code, r.stdout + r.stderr).toBe(BROKEN_SEEDS.has(file) ? 1 : 0);
  });
});

describe('lbctl explain, offline on the seeds', () => {
  const nginx = join(seeds, '001-nginx.yaml');
  // The seed's Service is ClusterIP; its document has the user switch it to LoadBalancer.
  const asLoadBalancer = readFileSync(nginx, 'utf8').replace('type: ClusterIP', 'type: LoadBalancer');

  it('the seed as written: not a LoadBalancer', async () => {
    const r = await lbctl(['explain', 'service', 'default/nginx-service', '-f', join(seeds, '000-first-pool-l2.yaml'), '-f', nginx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Service default/nginx-service: type is ClusterIP, not LoadBalancer: no external address is given');
  });

  it('switched to LoadBalancer, it would get the address of the first pool', async () => {
    // The seed keeps its configuration in namespace default, as its document's controller reads it.
    const args = ['explain', 'service', 'default/nginx-service', '-f', join(seeds, '000-first-pool-l2.yaml'), '-f', '-'];
    const r = await lbctl([...args, '-n', 'metallb-system,default'], { input: asLoadBalancer });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/pending, though pool first-pool could give it 10\.220\.2\.214 now/);
    const elsewhere = await lbctl(args, { input: asLoadBalancer });
    expect(elsewhere.stdout.split('\n')[0]).toMatch(/no IPAddressPool in namespace metallb-system/);
  });

  it('with the typo seed, the configuration is named as the reason', async () => {
    const r = await lbctl(['explain', 'service', 'default/nginx-service', '-f', join(seeds, '001-cheap-pool-typo.yaml'), '-f', '-'], { input: asLoadBalancer });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/configuration is invalid .*starts after it ends/);
  });
});
