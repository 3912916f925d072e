// Our metallb.io CRDs against MetalLB's own (../shared/reference/metallb-crds): the same fields,
// types, defaults, enums and bounds, version by version; and a set of objects that MetalLB's CRDs
// accept or refuse is accepted or refused by ours. MetalLB's side is judged independently of our
// validator: Ajv for the JSON Schema part, a CEL evaluator for its x-kubernetes-validations.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { evaluate } from '@marcbachmann/cel-js';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type StructuralSchema as SchemaNode } from '@lb/structural-schema';
import { customResourceDefinitions, validateResource } from '../src/index.js';
import { bfd, bgp, community, l2, NS, peer, peerV1beta1, pool, sharedDir } from './helpers.js';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  additionalPrinterColumns?: Array<Record<string, unknown>>;
  subresources?: unknown;
  schema: { openAPIV3Schema: SchemaNode };
}
interface Crd {
  metadata: { name: string };
  spec: { group: string; names: Record<string, string>; scope: string; versions: CrdVersion[] };
}

const theirDir = join(sharedDir, 'reference', 'metallb-crds');
const theirs: Crd[] = readdirSync(theirDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parse(readFileSync(join(theirDir, f), 'utf8')) as Crd);
const ours = new Map((customResourceDefinitions() as unknown as Crd[]).map((crd) => [crd.metadata.name, crd]));

const FACTS = [
  'type',
  'format',
  'default',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'nullable',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
] as const;

/** Every difference between two schemas, descriptions and the wording of CEL rules aside. */
function schemaDifferences(their: SchemaNode, our: SchemaNode, path: string, out: string[]): void {
  for (const fact of FACTS) {
    if (!isDeepStrictEqual(their[fact], our[fact])) out.push(`${path}: ${fact} is ${JSON.stringify(our[fact])}, MetalLB has ${JSON.stringify(their[fact])}`);
  }
  const required = (s: SchemaNode) => [...(s.required ?? [])].sort();
  if (!isDeepStrictEqual(required(their), required(our))) out.push(`${path}: required is ${JSON.stringify(required(our))}, MetalLB has ${JSON.stringify(required(their))}`);
  const theirRules = their['x-kubernetes-validations']?.length ?? 0;
  const ourRules = our['x-kubernetes-validations']?.length ?? 0;
  if (theirRules !== ourRules) out.push(`${path}: ${ourRules} CEL rules, MetalLB has ${theirRules}`);
  const names = new Set([...Object.keys(their.properties ?? {}), ...Object.keys(our.properties ?? {})]);
  for (const name of names) {
    const a = their.properties?.[name];
    const b = our.properties?.[name];
    if (!a) out.push(`${path}.${name}: not in MetalLB's schema`);
    else if (!b) out.push(`${path}.${name}: missing`);
    else schemaDifferences(a, b, `${path}.${name}`, out);
  }
  if (their.items || our.items) {
    if (their.items && our.items) schemaDifferences(their.items, our.items, `${path}[]`, out);
    else out.push(`${path}: items differ`);
  }
  const ap = (s: SchemaNode) => (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  const theirAp = ap(their);
  const ourAp = ap(our);
  if (theirAp && ourAp) schemaDifferences(theirAp, ourAp, `${path}{}`, out);
  else if (theirAp || ourAp) out.push(`${path}: additionalProperties differ`);
}

const columns = (v: CrdVersion) => (v.additionalPrinterColumns ?? []).map(({ description: _d, ...rest }) => rest);

describe("our CRDs against MetalLB's", () => {
  it('cover every metallb.io kind MetalLB has', () => {
    expect(theirs.length).toBe(9);
    expect(theirs.map((c) => c.metadata.name).filter((n) => !ours.has(n))).toEqual([]);
  });

  it('notices a difference when there is one', () => {
    const their = theirs.find((c) => c.metadata.name === 'bgppeers.metallb.io') as Crd;
    const changed = structuredClone(ours.get('bgppeers.metallb.io') as Crd);
    const spec = changed.spec.versions[1]?.schema.openAPIV3Schema.properties?.['spec'] as SchemaNode;
    (spec.properties as Record<string, SchemaNode>)['peerPort'] = { type: 'integer', minimum: 0, maximum: 16384 };
    delete (spec.properties as Record<string, SchemaNode>)['vrf'];
    const differences: string[] = [];
    schemaDifferences(their.spec.versions[1]?.schema.openAPIV3Schema as SchemaNode, changed.spec.versions[1]?.schema.openAPIV3Schema as SchemaNode, 'v1beta2', differences);
    expect(differences).toEqual(['v1beta2.spec.peerPort: default is undefined, MetalLB has 179', 'v1beta2.spec.peerPort: minimum is 0, MetalLB has 1', 'v1beta2.spec.vrf: missing']);
  });

  it.each(theirs.map((crd) => [crd.metadata.name, crd] as const))('%s: names, scope and versions', (name, their) => {
    const our = ours.get(name) as Crd;
    expect(our.spec.group).toBe(their.spec.group);
    expect(our.spec.names).toEqual(their.spec.names);
    expect(our.spec.scope).toBe(their.spec.scope);
    expect(our.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false])).toEqual(their.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]));
    for (const [i, version] of their.spec.versions.entries()) {
      const mine = our.spec.versions[i] as CrdVersion;
      expect(columns(mine), `${version.name} printer columns`).toEqual(columns(version));
      expect(mine.subresources).toEqual(version.subresources);
    }
  });

  it.each(theirs.map((crd) => [crd.metadata.name, crd] as const))('%s: the same fields, types, defaults, enums and bounds', (name, their) => {
    const our = ours.get(name) as Crd;
    const differences: string[] = [];
    for (const [i, version] of their.spec.versions.entries()) {
      const mine = our.spec.versions[i] as CrdVersion;
      schemaDifferences(version.schema.openAPIV3Schema, mine.schema.openAPIV3Schema, version.name, differences);
    }
    expect(differences).toEqual([]);
  });
});

// MetalLB's side: Ajv for the structure, then each of its CEL rules where the value has the field.
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

function theirVersion(apiVersion: string, kind: string): CrdVersion {
  const [group, version] = apiVersion.split('/');
  const crd = theirs.find((c) => c.spec.group === group && c.spec.names['kind'] === kind);
  const found = crd?.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`MetalLB has no ${apiVersion} ${kind}`);
  return found;
}

function celInput(value: unknown, schema: SchemaNode | undefined): unknown {
  if (schema?.type === 'integer' && typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => celInput(v, schema?.items));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celInput(v, schema?.properties?.[k] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined))]));
  }
  return value;
}

function theirRulesHold(value: unknown, old: unknown, schema: SchemaNode): boolean {
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const transition = rule.rule.includes('oldSelf');
    if (transition && old === undefined) continue;
    try {
      const context = transition ? { self: celInput(value, schema), oldSelf: celInput(old, schema) } : { self: celInput(value, schema) };
      if (evaluate(rule.rule, context) !== true) return false;
    } catch {
      return false;
    }
  }
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every((item, i) => !schema.items || theirRulesHold(item, Array.isArray(old) ? old[i] : undefined, schema.items));
  return Object.entries(value).every(([key, child]) => {
    const childSchema = schema.properties?.[key];
    const oldChild = typeof old === 'object' && old !== null ? (old as Record<string, unknown>)[key] : undefined;
    return !childSchema || theirRulesHold(child, oldChild, childSchema);
  });
}

function metallbAccepts(object: { apiVersion: string; kind: string }, old?: unknown): boolean {
  const schema = theirVersion(object.apiVersion, object.kind).schema.openAPIV3Schema;
  return ajv.validate(schema, object) && theirRulesHold(object, old, schema);
}

function weAccept(object: unknown, old?: unknown): boolean {
  return validateResource(object, old === undefined ? { unknownFields: 'warning' } : { oldObject: old, unknownFields: 'warning' }).status === 'valid';
}

const status = (kind: string, statusValue: Record<string, unknown>) => ({ apiVersion: 'metallb.io/v1beta1', kind, metadata: { name: 's', namespace: NS }, status: statusValue });
const condition = (fields: Record<string, unknown>) => ({ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'Ok', message: '', ...fields });

type Case = [string, { apiVersion: string; kind: string }, unknown?];

const cases: Case[] = [
  ['simple pool', pool('p', ['10.0.0.0/24'])],
  ['pool without spec', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: NS } }],
  ['pool without addresses', { ...pool('p', []), spec: { autoAssign: true } }],
  ['pool with string autoAssign', pool('p', ['10.0.0.1'], { autoAssign: 'true' })],
  ['pool with a priority', pool('p', ['10.0.0.1'], { serviceAllocation: { priority: -5 } })],
  ['pool with a fractional priority', pool('p', ['10.0.0.1'], { serviceAllocation: { priority: 1.5 } })],
  ['selector without operator', pool('p', ['10.0.0.1'], { serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'a' }] }] } })],
  ['selector label values must be strings', pool('p', ['10.0.0.1'], { serviceAllocation: { serviceSelectors: [{ matchLabels: { a: 1 } }] } })],
  ['pool status complete', { ...pool('p', ['10.0.0.1']), status: { assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 2, availableIPv6: 0 } }],
  ['pool status incomplete', { ...pool('p', ['10.0.0.1']), status: { assignedIPv4: 1 } }],
  ['empty L2 advertisement', l2('a')],
  ['L2 preferred nodes', l2('a', { preferredNodeSelectors: [{ preference: { matchLabels: { a: 'b' } }, weight: 100 }] })],
  ['L2 preferred weight 0', l2('a', { preferredNodeSelectors: [{ preference: {}, weight: 0 }] })],
  ['L2 preferred weight 101', l2('a', { preferredNodeSelectors: [{ preference: {}, weight: 101 }] })],
  ['L2 preferred without weight', l2('a', { preferredNodeSelectors: [{ preference: {} }] })],
  ['L2 interfaces as a string', l2('a', { interfaces: 'eth0' })],
  ['BGP advertisement defaults', bgp('a', { aggregationLength: 32, aggregationLengthV6: 128, localPref: 100 })],
  ['BGP aggregationLength 0', bgp('a', { aggregationLength: 0 })],
  ['BGP aggregationLengthV6 0', bgp('a', { aggregationLengthV6: 0 })],
  ['BGP serviceSelectors with default aggregation', bgp('a', { serviceSelectors: [{ matchLabels: { a: 'b' } }] })],
  ['BGP serviceSelectors with aggregation 24', bgp('a', { aggregationLength: 24, serviceSelectors: [{ matchLabels: { a: 'b' } }] })],
  ['BGP serviceSelectors with aggregationV6 64', bgp('a', { aggregationLengthV6: 64, serviceSelectors: [{}] })],
  ['BGP empty serviceSelectors with aggregation 24', bgp('a', { aggregationLength: 24, serviceSelectors: [] })],
  ['BGP communities as numbers', bgp('a', { communities: [1] })],
  ['peer v1beta2', peer('r', {})],
  ['peer v1beta2 with only myASN', { ...peer('r', {}), spec: { myASN: 1 } }],
  ['peer v1beta2 without myASN', { ...peer('r', {}), spec: { peerASN: 1, peerAddress: '1.1.1.1' } }],
  ['peer v1beta2 port 0', peer('r', { peerPort: 0 })],
  ['peer v1beta2 port 16385', peer('r', { peerPort: 16385 })],
  ['peer ASN 4294967295', peer('r', { myASN: 4294967295, peerASN: 4294967295 })],
  ['peer ASN 4294967296', peer('r', { peerASN: 4294967296 })],
  ['peer ASN -1', peer('r', { myASN: -1 })],
  ['peer localASN 0', peer('r', { localASN: 0 })],
  ['peer dynamicASN external', peer('r', { peerASN: undefined, dynamicASN: 'external' })],
  ['peer dynamicASN other', peer('r', { dynamicASN: 'Internal' })],
  ['peer connectTime 10s', peer('r', { connectTime: '10s' })],
  ['peer connectTime 1m30s', peer('r', { connectTime: '1m30s' })],
  ['peer connectTime 500ms', peer('r', { connectTime: '500ms' })],
  ['peer connectTime 1500ms', peer('r', { connectTime: '1500ms' })],
  ['peer connectTime 65536s', peer('r', { connectTime: '65536s' })],
  ['peer connectTime 0s', peer('r', { connectTime: '0s' })],
  ['peer connectTime nonsense', peer('r', { connectTime: 'soon' })],
  ['peer passwordSecret', peer('r', { passwordSecret: { name: 's', namespace: NS } })],
  ['peer selector without values', peer('r', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] })],
  ['peer graceful restart kept', peer('r', { enableGracefulRestart: true }), peer('r', { enableGracefulRestart: true })],
  ['peer graceful restart changed', peer('r', { enableGracefulRestart: false }), peer('r', { enableGracefulRestart: true })],
  ['peer v1beta1', peerV1beta1('r', {})],
  ['peer v1beta1 port 0', peerV1beta1('r', { peerPort: 0 })],
  ['peer v1beta1 without peerAddress', peerV1beta1('r', { peerAddress: undefined })],
  ['peer v1beta1 selector without values', peerV1beta1('r', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] })],
  ['peer v1beta1 selector with values', peerV1beta1('r', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }] })],
  ['BFD in range', bfd('b', { receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 255, echoInterval: 10, minimumTtl: 1, echoMode: true, passiveMode: false })],
  ['BFD receive 9', bfd('b', { receiveInterval: 9 })],
  ['BFD transmit 60001', bfd('b', { transmitInterval: 60001 })],
  ['BFD multiplier 1', bfd('b', { detectMultiplier: 1 })],
  ['BFD echo interval 9', bfd('b', { echoInterval: 9 })],
  ['BFD minimum TTL 0', bfd('b', { minimumTtl: 0 })],
  ['BFD echo mode as a string', bfd('b', { echoMode: 'on' })],
  ['community aliases', community('c', [{ name: 'a', value: '1:1' }, {}])],
  ['community aliases as strings', { ...community('c', []), spec: { communities: ['a'] } }],
  ['L2 status', status('ServiceL2Status', { node: 'n', serviceName: 's', serviceNamespace: 'ns', interfaces: [{ name: 'eth0' }] })],
  ['L2 status node kept', status('ServiceL2Status', { node: 'n' }), status('ServiceL2Status', { node: 'n' })],
  ['L2 status node changed', status('ServiceL2Status', { node: 'm' }), status('ServiceL2Status', { node: 'n' })],
  ['BGP status peers', status('ServiceBGPStatus', { node: 'n', peers: ['a', 'b'] })],
  ['BGP status service changed', status('ServiceBGPStatus', { serviceName: 'x' }), status('ServiceBGPStatus', { serviceName: 'y' })],
  ['configuration state', status('ConfigurationState', { result: 'Valid', errorSummary: '', conditions: [condition({})] })],
  ['configuration state result', status('ConfigurationState', { result: 'Broken' })],
  ['condition status', status('ConfigurationState', { conditions: [condition({ status: 'Yes' })] })],
  ['condition reason pattern', status('ConfigurationState', { conditions: [condition({ reason: '1bad' })] })],
  ['condition without reason', status('ConfigurationState', { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', message: '' }] })],
  ['condition type too long', status('ConfigurationState', { conditions: [condition({ type: 'A'.repeat(317) })] })],
  ['condition generation -1', status('ConfigurationState', { conditions: [condition({ observedGeneration: -1 })] })],
];

describe('objects MetalLB accepts or refuses', () => {
  it('include both', () => {
    const verdicts = cases.map(([, object, old]) => metallbAccepts(object, old));
    expect(verdicts.filter((v) => v).length).toBeGreaterThan(15);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(15);
  });

  it.each(cases)('%s: same verdict', (_what, object, old) => {
    expect(weAccept(object, old)).toBe(metallbAccepts(object, old));
  });
});
