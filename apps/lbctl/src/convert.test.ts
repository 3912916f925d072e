import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertLegacy } from './convert.js';
import { parseDocuments } from './inputs.js';
import { validateDocuments } from './validate.js';
import { stringify } from 'yaml';

const dir = join(import.meta.dirname, '..', 'test', 'legacy');
const documented = readdirSync(dir).filter((f) => f !== 'lossy.yaml');

describe('convertLegacy', () => {
  expect(documented.length).toBeGreaterThan(0);

  it.each(documented)('%s converts to resources that validate accepts', (file) => {
    const result = convertLegacy(readFileSync(join(dir, file), 'utf8'));
    if (!result.ok) throw new Error(result.error.message);
    const text = result.value.objects.map((o) => `---\n${stringify(o)}`).join('');
    const parsed = parseDocuments(text, file);
    const report = validateDocuments({ documents: parsed.documents });
    expect(report.errors, report.errors.map((e) => e.message).join('\n')).toEqual([]);
    expect(result.value.objects.length).toBeGreaterThan(0);
  });

  it('carries over every documented field of the advanced BGP example', () => {
    const result = convertLegacy(readFileSync(join(dir, 'bgp-advanced.yaml'), 'utf8'));
    if (!result.ok) throw new Error(result.error.message);
    const kinds = result.value.objects.map((o) => `${String(o['kind'])}/${String((o['metadata'] as { name: string }).name)}`);
    expect(kinds).toEqual([
      'BFDProfile/full1',
      'IPAddressPool/default',
      'BGPAdvertisement/default-1',
      'BGPAdvertisement/default-2',
      'IPAddressPool/expensive',
      'BGPAdvertisement/expensive',
      'BGPPeer/peer1',
      'BGPPeer/peer2',
    ]);
    const ad = result.value.objects[2] as { spec: Record<string, unknown> };
    expect(ad.spec).toEqual({ ipAddressPools: ['default'], aggregationLength: 32, localPref: 100, communities: ['65535:65282'] });
    const peer1 = result.value.objects[6] as { spec: Record<string, unknown> };
    expect(peer1.spec).toEqual({
      myASN: 64500,
      peerASN: 64501,
      peerAddress: '10.0.0.1',
      holdTime: '120s',
      bfdProfile: 'full1',
      nodeSelectors: [{ matchLabels: { rack: 'frontend' }, matchExpressions: [{ key: 'network-speed', operator: 'NotIn', values: ['slow'] }] }],
    });
    expect(result.value.notes).toEqual(['peers[1].password: carried over in clear text; consider a Secret of type kubernetes.io/basic-auth and passwordSecret']);
  });

  it('reports what it cannot carry over', () => {
    const result = convertLegacy(readFileSync(join(dir, 'lossy.yaml'), 'utf8'));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.notes).toEqual([
      'unknown-section: not a MetalLB configuration section; not carried over',
      'address-pools[0].colour: unknown field; not carried over',
      "address-pools[0].protocol: 'arp' is not layer2 or bgp; the pool is converted without an advertisement, so nothing announces its addresses",
    ]);
  });

  it.each([
    ['not: [yaml', /not YAML/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\ndata: {}\n', /no data.config/],
    ['- a\n- b\n', /expected a mapping/],
  ])('refuses %j', (text, message) => {
    const result = convertLegacy(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(message);
  });
});
