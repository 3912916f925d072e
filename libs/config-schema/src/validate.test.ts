import { describe, expect, it } from 'vitest';
import { lbClass, peer, peerV1beta1, pool } from '../test/helpers.js';
import { formatIssue } from './issues.js';
import { validateResource } from './validate.js';

describe('validateResource', () => {
  it('returns the resource with defaults applied', () => {
    const result = validateResource(pool('p', ['10.0.0.0/24']));
    expect(result.status).toBe('valid');
    expect(result.status === 'valid' && (result.resource as { spec?: unknown }).spec).toEqual({ addresses: ['10.0.0.0/24'], autoAssign: true, avoidBuggyIPs: false });
  });

  it('knows every version of every kind', () => {
    expect(validateResource(peerV1beta1('r', {})).status).toBe('valid');
    expect(validateResource(peer('r', {})).status).toBe('valid');
    expect(validateResource(lbClass('c', { addressPool: ['10.0.0.1'] })).status).toBe('valid');
  });

  it('warns that v1beta1 BGPPeer is deprecated', () => {
    const result = validateResource(peerV1beta1('r', {}));
    expect(result.status === 'valid' && result.issues.map(formatIssue)).toEqual(['warning: BGPPeer metallb-system/r: apiVersion: metallb.io/v1beta1 BGPPeer is deprecated; use metallb.io/v1beta2']);
  });

  it('leaves other kinds alone', () => {
    expect(validateResource({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } })).toEqual({ status: 'foreign', apiVersion: 'apps/v1', kind: 'Deployment' });
  });

  const rejected: Array<[string, unknown, string]> = [
    ['not an object', 'pool', 'a resource must be an object, got string'],
    ['no kind', { apiVersion: 'metallb.io/v1beta1' }, 'kind: kind is missing'],
    ['unknown kind of our group', { apiVersion: 'metallb.io/v1beta1', kind: 'AddressPool', metadata: { name: 'a' } }, 'AddressPool a: apiVersion: metallb.io/v1beta1 has no kind AddressPool'],
    ['no name', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: {}, spec: { addresses: [] } }, 'IPAddressPool (unnamed): metadata.name: name is required'],
    ['bad namespace', pool('p', ['10.0.0.1'], {}, { namespace: 'Metallb_System' }), "IPAddressPool Metallb_System/p: metadata.namespace: 'Metallb_System' is not a valid namespace name"],
    ['bad label', pool('p', ['10.0.0.1'], {}, { labels: { 'a b': 'x' } }), 'IPAddressPool metallb-system/p: metadata.labels: label key'],
    ['v1beta1 peer needs peerASN', peerV1beta1('r', { peerASN: undefined }), 'BGPPeer metallb-system/r: spec.peerASN: required field is missing'],
    ['v1beta1 selector values', peerV1beta1('r', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: [] }] }] }), 'spec.nodeSelectors[0].matchExpressions[0].values: must have at least 1 item, has 0'],
    ['missing spec', { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' } }, 'IPAddressPool p: spec: required field is missing'],
  ];
  it.each(rejected)('refuses: %s', (_what, object, message) => {
    const result = validateResource(object);
    expect(result.status).toBe('invalid');
    const lines = result.status === 'invalid' ? result.issues.map(formatIssue) : [];
    expect(lines.some((line) => line.includes(message)), lines.join('\n')).toBe(true);
  });
  it('ran every case', () => expect(rejected.length).toBeGreaterThan(0));

  it('refuses changing enableGracefulRestart on update', () => {
    const before = peer('r', { enableGracefulRestart: true });
    const after = peer('r', { enableGracefulRestart: false });
    expect(validateResource(after).status).toBe('valid');
    expect(validateResource(after, { oldObject: before }).status).toBe('invalid');
    expect(validateResource(before, { oldObject: before }).status).toBe('valid');
  });

  it('can take unknown fields as warnings', () => {
    const result = validateResource(pool('p', ['10.0.0.1'], { extra: 1 }), { unknownFields: 'warning' });
    expect(result.status).toBe('valid');
    expect(result.status === 'valid' && result.issues.map(formatIssue)).toEqual(['warning: IPAddressPool metallb-system/p: spec.extra: unknown field (not declared in the schema)']);
  });
});
