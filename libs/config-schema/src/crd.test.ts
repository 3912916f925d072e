import { compileRule, processCustomResource } from '@lb/structural-schema';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { describe, expect, it } from 'vitest';
import { crdFileName, crdFiles, customResourceDefinition, customResourceDefinitions } from './crd.js';
import { KINDS } from './kinds.js';
import { type StructuralSchema as SchemaNode } from '@lb/structural-schema';

interface Version {
  name: string;
  storage: boolean;
  served: boolean;
  schema: { openAPIV3Schema: SchemaNode };
}
const versionsOf = (crd: Record<string, unknown>) => (crd['spec'] as { versions: Version[] }).versions;

// Keywords a structural schema may not use (apiextensions.k8s.io/v1 rules).
const FORBIDDEN = ['const', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', '$id', '$schema', 'patternProperties', 'definitions', 'dependencies', 'additionalItems'];

function structuralProblems(node: SchemaNode, path: string, problems: string[]): void {
  const record = node as Record<string, unknown>;
  for (const key of FORBIDDEN) if (key in record) problems.push(`${path}: uses ${key}`);
  if (!node.type && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']) problems.push(`${path}: has no type`);
  if (node.properties && typeof node.additionalProperties === 'object') problems.push(`${path}: has both properties and additionalProperties`);
  if (node.type === 'array' && !node.items) problems.push(`${path}: array without items`);
  if (node.uniqueItems) problems.push(`${path}: uniqueItems must be false`);
  if (node['x-kubernetes-list-map-keys'] && node['x-kubernetes-list-type'] !== 'map') problems.push(`${path}: list-map-keys without list-type map`);
  if (node.default !== undefined) {
    const checked = processCustomResource(node.default, node, { isResourceRoot: false });
    if (checked.pruned.length + checked.violations.length > 0) problems.push(`${path}: default does not fit its schema`);
  }
  for (const rule of node['x-kubernetes-validations'] ?? []) {
    if (!compileRule(rule.rule).ok) problems.push(`${path}: rule '${rule.rule}' does not compile`);
    if (!rule.message) problems.push(`${path}: rule without a message`);
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) structuralProblems(child, `${path}.${name}`, problems);
  if (node.items) structuralProblems(node.items, `${path}[]`, problems);
  if (typeof node.additionalProperties === 'object') structuralProblems(node.additionalProperties, `${path}{}`, problems);
}

describe('generated CRDs', () => {
  const crds = customResourceDefinitions();

  it('cover every kind', () => {
    expect(crds.map((c) => (c['metadata'] as { name: string }).name)).toEqual([
      'ipaddresspools.metallb.io',
      'l2advertisements.metallb.io',
      'bgpadvertisements.metallb.io',
      'bgppeers.metallb.io',
      'bfdprofiles.metallb.io',
      'communities.metallb.io',
      'servicel2statuses.metallb.io',
      'servicebgpstatuses.metallb.io',
      'configurationstates.metallb.io',
      'metalloadbalancerclasses.network.deckhouse.io',
    ]);
  });

  it.each(crds.map((crd) => [(crd['metadata'] as { name: string }).name, crd] as const))('%s is a valid Kubernetes object', (_name, crd) => {
    expect(() => new CustomResourceDefinition(crd as ConstructorParameters<typeof CustomResourceDefinition>[0]).validate()).not.toThrow();
  });

  it.each(crds.map((crd) => [(crd['metadata'] as { name: string }).name, crd] as const))('%s has structural schemas', (_name, crd) => {
    const problems: string[] = [];
    for (const version of versionsOf(crd)) {
      const root = version.schema.openAPIV3Schema;
      structuralProblems(root, version.name, problems);
      const metadata = root.properties?.['metadata'];
      if (!metadata || JSON.stringify(metadata) !== '{"type":"object"}') problems.push(`${version.name}.metadata: must be just type: object`);
    }
    expect(problems).toEqual([]);
  });

  it.each(crds.map((crd) => [(crd['metadata'] as { name: string }).name, crd] as const))('%s stores exactly one served version, with a status subresource', (_name, crd) => {
    const versions = versionsOf(crd);
    expect(versions.filter((v) => v.storage)).toHaveLength(1);
    expect(versions.every((v) => v.served && JSON.stringify((v as unknown as { subresources: unknown }).subresources) === '{"status":{}}')).toBe(true);
  });

  it('adds a conversion webhook to BGPPeer when asked', () => {
    const peers = KINDS.find((k) => k.kind === 'BGPPeer');
    if (!peers) throw new Error('no BGPPeer kind');
    const crd = customResourceDefinition(peers, { conversionWebhook: { service: { name: 'lb-webhook', namespace: 'lb-system' }, caBundle: 'Q0E=' } });
    expect((crd['spec'] as { conversion: unknown }).conversion).toEqual({
      strategy: 'Webhook',
      webhook: { clientConfig: { service: { name: 'lb-webhook', namespace: 'lb-system', path: '/convert', port: 443 }, caBundle: 'Q0E=' }, conversionReviewVersions: ['v1'] },
    });
    expect(() => new CustomResourceDefinition(crd as ConstructorParameters<typeof CustomResourceDefinition>[0]).validate()).not.toThrow();
  });

  it('names files as MetalLB does', () => {
    expect([...crdFiles().keys()]).toEqual(KINDS.map(crdFileName));
    expect(crdFileName(KINDS[0] as (typeof KINDS)[number])).toBe('metallb.io_ipaddresspools.yaml');
  });
});
