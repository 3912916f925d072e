import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peer, peerV1beta1 } from '../test/helpers.js';
import { V1BETA2_SPEC_ANNOTATION, bgpPeerToV1beta1, bgpPeerToV1beta2, convertResource, convertReview } from './conversion.js';
import { type BGPPeerResource, type BGPPeerV1beta1Resource } from './resources.js';
import { validateResource } from './validate.js';

const v1 = (spec: Record<string, unknown>, annotations?: Record<string, string>) =>
  peerV1beta1('r', spec, annotations ? { annotations } : {}) as unknown as BGPPeerV1beta1Resource;
const v2 = (spec: Record<string, unknown>) => peer('r', spec) as unknown as BGPPeerResource;

describe('BGPPeer v1beta1 → v1beta2 → v1beta1', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['the required fields', {}],
    ['every field', { sourceAddress: '10.0.0.1', peerPort: 1179, holdTime: '90s', keepaliveTime: '30s', routerID: '10.0.0.9', password: 'x', bfdProfile: 'b', ebgpMultiHop: true }],
    ['node selectors', { nodeSelectors: [{ matchLabels: { rack: 'a' } }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['x', 'y'] }] }] }],
    ['port 0 (allowed by v1beta1)', { peerPort: 0 }],
  ];
  it.each(cases)('keeps %s', (_what, spec) => {
    const original = v1(spec);
    const up = bgpPeerToV1beta2(original);
    expect(up.apiVersion).toBe('metallb.io/v1beta2');
    expect(bgpPeerToV1beta1(up)).toEqual(original);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));

  it('turns v1beta1 node selectors into label selectors', () => {
    const up = bgpPeerToV1beta2(v1({ nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, {}] }));
    expect(up.spec?.nodeSelectors).toEqual([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, {}]);
    expect(validateResource(up).status).toBe('valid');
  });

  it('keeps any valid v1beta1 object through the round trip', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const selector = fc.record(
      { matchLabels: fc.dictionary(label, label, { maxKeys: 2 }), matchExpressions: fc.array(fc.record({ key: label, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(label, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 2 }) },
      { requiredKeys: [] },
    );
    const spec = fc.record(
      {
        myASN: fc.integer({ min: 0, max: 4294967295 }),
        peerASN: fc.integer({ min: 0, max: 4294967295 }),
        peerAddress: fc.ipV4(),
        peerPort: fc.integer({ min: 0, max: 16384 }),
        holdTime: fc.constantFrom('90s', '3m', '0s'),
        password: label,
        ebgpMultiHop: fc.boolean(),
        nodeSelectors: fc.array(selector, { maxLength: 3 }),
      },
      { requiredKeys: ['myASN', 'peerASN', 'peerAddress'] },
    );
    fc.assert(
      fc.property(spec, (s) => {
        const original = v1(s);
        expect(bgpPeerToV1beta1(bgpPeerToV1beta2(original))).toEqual(original);
      }),
    );
  });
});

describe('BGPPeer v1beta2 → v1beta1 → v1beta2', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['fields v1beta1 has', { holdTime: '30s', nodeSelectors: [{ matchLabels: { a: 'b' } }] }],
    ['dynamicASN without peerASN', { peerASN: undefined, dynamicASN: 'external' }],
    ['an interface instead of an address', { peerAddress: undefined, interface: 'eth1', vrf: 'red', connectTime: '10s' }],
    ['Exists selectors without values', { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] }],
    ['passwordSecret and the rest of v1beta2', { passwordSecret: { name: 's', namespace: 'n' }, enableGracefulRestart: true, dualStackAddressFamily: true, localASN: 65001 }],
  ];
  it.each(cases)('keeps %s', (_what, spec) => {
    const original = JSON.parse(JSON.stringify(v2(spec))) as BGPPeerResource;
    const down = bgpPeerToV1beta1(original);
    expect(bgpPeerToV1beta2(down)).toEqual(original);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));

  it('keeps any valid v1beta2 object through the round trip', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const selector = fc.record(
      {
        matchLabels: fc.dictionary(label, label, { maxKeys: 2 }),
        matchExpressions: fc.array(
          fc.oneof(
            fc.record({ key: label, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(label, { minLength: 1, maxLength: 2 }) }),
            fc.record({ key: label, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    );
    const spec = fc.record(
      {
        myASN: fc.integer({ min: 0, max: 4294967295 }),
        peerASN: fc.integer({ min: 0, max: 4294967295 }),
        dynamicASN: fc.constantFrom('internal', 'external'),
        localASN: fc.integer({ min: 1, max: 4294967295 }),
        peerAddress: fc.ipV6(),
        interface: label,
        peerPort: fc.integer({ min: 1, max: 16384 }),
        keepaliveTime: fc.constantFrom('30s', '1m'),
        connectTime: fc.constantFrom('5s', '2m'),
        passwordSecret: fc.record({ name: label, namespace: label }, { requiredKeys: [] }),
        enableGracefulRestart: fc.boolean(),
        vrf: label,
        dualStackAddressFamily: fc.boolean(),
        disableMP: fc.boolean(),
        nodeSelectors: fc.array(selector, { maxLength: 3 }),
      },
      { requiredKeys: ['myASN'] },
    );
    fc.assert(
      fc.property(spec, (s) => {
        const original = { ...(peer('r', {}) as object), spec: s } as unknown as BGPPeerResource;
        expect(bgpPeerToV1beta2(bgpPeerToV1beta1(original))).toEqual(original);
      }),
    );
  });

  it('stashes only what v1beta1 cannot hold', () => {
    expect(bgpPeerToV1beta1(v2({})).metadata.annotations).toBeUndefined();
    const down = bgpPeerToV1beta1(v2({ vrf: 'red' }));
    expect(JSON.parse(down.metadata.annotations?.[V1BETA2_SPEC_ANNOTATION] ?? '{}')).toEqual(expect.objectContaining({ vrf: 'red' }));
  });

  it('takes edits made through v1beta1 over the stash', () => {
    const down = bgpPeerToV1beta1(v2({ vrf: 'red', holdTime: '30s' }));
    down.spec = { ...(down.spec as NonNullable<typeof down.spec>), holdTime: '60s', nodeSelectors: [{ matchLabels: { rack: 'b' } }] };
    const up = bgpPeerToV1beta2(down);
    expect(up.spec).toEqual(expect.objectContaining({ vrf: 'red', holdTime: '60s', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }));
    expect(up.metadata.annotations).toBeUndefined();
  });
});

describe('convertReview', () => {
  it('converts every object or fails as a whole', () => {
    const ok = convertReview({ uid: 'u1', desiredAPIVersion: 'metallb.io/v1beta2', objects: [v1({}), v2({})] });
    expect(ok.result).toEqual({ status: 'Success' });
    expect(ok.convertedObjects.map((o) => o['apiVersion'])).toEqual(['metallb.io/v1beta2', 'metallb.io/v1beta2']);
    const bad = convertReview({ uid: 'u2', desiredAPIVersion: 'metallb.io/v1beta3', objects: [v1({})] });
    expect(bad).toEqual({ uid: 'u2', convertedObjects: [], result: { status: 'Failure', message: 'objects[0]: BGPPeer has no version metallb.io/v1beta3' } });
  });

  it('refuses what it does not know, without throwing', () => {
    const cases: Array<[unknown, string, string]> = [
      [null, 'metallb.io/v1beta2', 'the object to convert is not an object'],
      [{ apiVersion: 'v1', kind: 'Pod' }, 'metallb.io/v1beta2', 'v1 Pod is not a kind this webhook converts'],
      [{ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool' }, 'metallb.io/v1beta2', 'IPAddressPool has no version metallb.io/v1beta2'],
    ];
    expect(cases.length).toBeGreaterThan(0);
    for (const [object, version, error] of cases) expect(convertResource(object, version)).toEqual({ ok: false, error: { kind: 'not-convertible', message: error } });
  });
});
