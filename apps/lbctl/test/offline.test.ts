// lbctl offline on the documents users bring: MetalLB's published configuration samples and the
// seed examples, each as its own file (they reuse names between files); the binary on a few.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metallbSamplesDir } from '@lb/testdata';
import { readInputs } from '../src/inputs.js';
import { renderValidation, validateDocuments } from '../src/validate.js';
import { lbctl, repoRoot } from './harness.js';

const samples = readdirSync(metallbSamplesDir()).filter((f) => f.endsWith('.yaml'));
const seeds = join(repoRoot, 'examples', 'seeds');
const seedFiles = readdirSync(seeds).filter((f) => f.endsWith('.yaml'));
/** Seeds that are wrong on purpose (the typo their document tells how to find). */
const BROKEN_SEEDS = new Set(['001-cheap-pool-typo.yaml']);

/** The same core the binary runs, in this process: one file at a time (they reuse names between files). */
function validateFile(file: string): { valid: boolean; text: string } {
  const read = readInputs([file]);
  const report = validateDocuments({ documents: read.documents, readIssues: read.issues });
  return { valid: report.valid, text: renderValidation(report) };
}

describe('lbctl validate, offline', () => {
  expect(samples.length).toBeGreaterThan(0);
  expect(seedFiles.length).toBeGreaterThan(0);

  it.each(samples)("accepts MetalLB's sample %s", (file) => {
    const { valid, text } = validateFile(join(metallbSamplesDir(), file));
    expect(valid, text).toBe(true);
  });

  it.each(seedFiles)('seed %s', (file) => {
    const { valid, text } = validateFile(join(seeds, file));
    expect(valid, text).toBe(!BROKEN_SEEDS.has(file));
  });

  it('the binary agrees: a sample accepted, the typo seed refused at its line', async () => {
    const ok = await lbctl(['validate', '-f', join(metallbSamplesDir(), samples[0] as string)]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const typo = await lbctl(['validate', '-f', join(seeds, '001-cheap-pool-typo.yaml')]);
    expect(typo.code).toBe(1);
    expect(typo.stdout).toMatch(/001-cheap-pool-typo\.yaml:9:5: error: IPAddressPool metallb-system\/cheap: spec\.addresses\[0\]/);
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
