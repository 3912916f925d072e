import { describe, expect, it } from 'vitest';
import { parseRequestedIPs, parseServiceAnnotations, serviceAllocationRequest, serviceKey, type ClassLookup, type ServiceObject } from './annotations.js';

describe('parseServiceAnnotations', () => {
  const cases: Array<[string, Record<string, string>, unknown, string[]]> = [
    ['nothing', {}, {}, []],
    ['addresses', { 'metallb.io/loadBalancerIPs': '10.0.0.5, fc00:0::5' }, { loadBalancerIPs: ['10.0.0.5', 'fc00::5'] }, []],
    ['a pool', { 'metallb.io/address-pool': 'gold' }, { addressPool: 'gold' }, []],
    ['a sharing key', { 'metallb.io/allow-shared-ip': 'web' }, { sharingKey: 'web' }, []],
    ['the pool written by the controller', { 'metallb.io/ip-allocated-from-pool': 'gold' }, { ipAllocatedFromPool: 'gold' }, []],
    ['the deprecated prefix, flagged', { 'metallb.universe.tf/address-pool': 'gold' }, { addressPool: 'gold' }, ['warning metallb.universe.tf/address-pool: deprecated: use metallb.io/address-pool']],
    [
      'both prefixes: metallb.io/ wins',
      { 'metallb.universe.tf/allow-shared-ip': 'old', 'metallb.io/allow-shared-ip': 'new' },
      { sharingKey: 'new' },
      ['warning metallb.universe.tf/allow-shared-ip: ignored: metallb.io/allow-shared-ip is also set, to a different value, and takes precedence'],
    ],
    ['an address count', { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '3' }, { addressCount: 3 }, []],
    ['two addresses of one family', { 'metallb.io/loadBalancerIPs': '10.0.0.5,10.0.0.6' }, {}, ["error metallb.io/loadBalancerIPs: '10.0.0.5,10.0.0.6' has two IPv4 addresses; give at most one per family"]],
    ['not an address', { 'metallb.universe.tf/loadBalancerIPs': 'ten' }, {}, ['warning metallb.universe.tf/loadBalancerIPs: deprecated: use metallb.io/loadBalancerIPs', "error metallb.universe.tf/loadBalancerIPs: 'ten' is not an IP address"]],
    ['a pool name no pool can have', { 'metallb.io/address-pool': 'Gold Pool' }, {}, ["error metallb.io/address-pool: 'Gold Pool' cannot be the name of an IPAddressPool"]],
    ['a count of 0', { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '0' }, {}, ["error network.deckhouse.io/l2-load-balancer-external-ips-count: '0' is not an address count: write a whole number from 1 to 1024"]],
    ['a count that is not a number', { 'network.deckhouse.io/l2-load-balancer-external-ips-count': 'three' }, {}, [expect.stringContaining("'three' is not an address count") as unknown as string]],
  ];
  it.each(cases)('%s', (_what, annotations, value, issues) => {
    const result = parseServiceAnnotations(annotations);
    expect(result.value).toEqual(value);
    expect(result.issues.map((i) => `${i.severity} ${i.annotation}: ${i.message}`)).toEqual(issues);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));
});

describe('parseRequestedIPs', () => {
  it('counts the addresses of a long list and keeps the message short, reason included', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`).join(',');
    const result = parseRequestedIPs(text);
    expect(result.ok).toBe(false);
    const error = result.ok ? '' : result.error.message;
    expect(error).toMatch(/^'10\.0\.0\.0,10\.0\.0\.1,.*\.\.\.' \(1,000 entries\) has 1,000 IPv4 addresses; give at most one per family$/);
    expect(error.length).toBeLessThan(200);
  });

  it('counts each crowded family', () => {
    const result = parseRequestedIPs('10.0.0.1,10.0.0.2,10.0.0.3,fc00::1,fc00::2');
    expect(result.ok ? '' : result.error.message).toBe("'10.0.0.1,10.0.0.2,10.0.0.3,fc00::1,fc00::2' has three IPv4 addresses and two IPv6 addresses; give at most one per family");
  });
});

describe('serviceKey', () => {
  it('is namespace/name, in default when the Service names no namespace', () => {
    expect(serviceKey({ metadata: { name: 'web', namespace: 'shop' } })).toBe('shop/web');
    expect(serviceKey({ metadata: { name: 'web' } })).toBe('default/web');
  });
});

describe('serviceAllocationRequest', () => {
  const classes: ClassLookup = { classPools: new Map([['ingress', 'class:ingress']]) };
  const service = (spec: ServiceObject['spec'], annotations: Record<string, string> = {}): ServiceObject => ({
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations },
    spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 443 }], ...spec },
  });

  it('asks the IPAddressPools for a plain Service', () => {
    const result = serviceAllocationRequest(service({}, { 'metallb.io/address-pool': 'gold', 'metallb.io/allow-shared-ip': 'k' }), classes, { namespaceLabels: { team: 'a' } });
    expect(result).toEqual({
      ok: true,
      value: {
        className: undefined,
        issues: [],
        request: { service: 'shop/web', serviceLabels: { app: 'web' }, namespaceLabels: { team: 'a' }, requestedPool: 'gold', sharingKey: 'k', ports: [{ protocol: 'TCP', port: 443 }] },
      },
    });
  });

  it('asks the class pool for N addresses for a Service of a class', () => {
    const result = serviceAllocationRequest(service({ loadBalancerClass: 'ingress' }, { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '3' }), classes);
    expect(result.ok && result.value.request).toEqual(expect.objectContaining({ requestedPool: 'class:ingress', count: 3 }));
    expect(result.ok && result.value.className).toBe('ingress');
  });

  it('sends Services without a class to the default class, unless they ask for a pool', () => {
    const withDefault: ClassLookup = { ...classes, defaultClass: 'ingress' };
    const plain = serviceAllocationRequest(service({}), withDefault);
    expect(plain.ok && plain.value.request.requestedPool).toBe('class:ingress');
    const pinned = serviceAllocationRequest(service({}, { 'metallb.io/address-pool': 'gold' }), withDefault);
    expect(pinned.ok && pinned.value.request.requestedPool).toBe('gold');
  });

  it('keeps a backend key for externalTrafficPolicy Local', () => {
    const result = serviceAllocationRequest(service({ externalTrafficPolicy: 'Local', selector: { tier: 'fe', app: 'web' } }), classes);
    expect(result.ok && result.value.request.backendKey).toBe('app=web,tier=fe');
  });

  const refused: Array<[string, ServiceObject, string]> = [
    ['not a LoadBalancer', service({ type: 'ClusterIP' }), 'type is ClusterIP, not LoadBalancer'],
    ["another load balancer's class", service({ loadBalancerClass: 'cloud' }), "loadBalancerClass 'cloud' belongs to another load balancer"],
  ];
  it.each(refused)('leaves alone: %s', (_what, svc, reason) => expect(serviceAllocationRequest(svc, classes)).toEqual({ ok: false, error: { kind: 'not-ours', message: reason } }));

  it('refuses loadBalancerIP together with the annotation', () => {
    const result = serviceAllocationRequest(service({ loadBalancerIP: '10.0.0.1' }, { 'metallb.io/loadBalancerIPs': '10.0.0.2' }), classes);
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-service', className: undefined, message: 'metallb.io/loadBalancerIPs: cannot be used together with spec.loadBalancerIP; keep one of them' } });
    expect(!result.ok && result.error.kind === 'invalid-service' && result.error.issues.map((i) => i.message)).toEqual(['cannot be used together with spec.loadBalancerIP; keep one of them']);
  });

  it('takes spec.loadBalancerIP', () => {
    const result = serviceAllocationRequest(service({ loadBalancerIP: '10.0.0.1', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] }), classes);
    expect(result.ok && result.value.request).toEqual(expect.objectContaining({ requestedIPs: ['10.0.0.1'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] }));
  });

  it('gives a class Service the reservation of its class, and the same key as serviceKey', () => {
    const result = serviceAllocationRequest(service({ loadBalancerClass: 'ingress' }), classes);
    expect(result.ok && result.value.request).toEqual(expect.objectContaining({ service: 'shop/web', reservation: "MetalLoadBalancerClass 'ingress'" }));
  });

  const dualStack: Array<[string, ServiceObject['spec'], string | undefined]> = [
    ['two families and two cluster IPs', { ipFamilies: ['IPv4', 'IPv6'], clusterIPs: ['10.96.0.1', 'fd00::1'] }, undefined],
    ['one family, one cluster IP', { ipFamilies: ['IPv4'], clusterIPs: ['10.96.0.1'] }, 'spec.ipFamilies [IPv4], spec.clusterIPs [10.96.0.1]'],
    ['two families but one cluster IP', { ipFamilies: ['IPv4', 'IPv6'], clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] }, 'spec.ipFamilies [IPv4, IPv6], spec.clusterIPs [10.96.0.1]'],
    ['no families at all', {}, 'spec.ipFamilies [], spec.clusterIPs []'],
    ['two families, no cluster IP read (not from an API server)', { ipFamilies: ['IPv4', 'IPv6'] }, undefined],
  ];
  it.each(dualStack)('RequireDualStack with %s', (_what, spec, problem) => {
    const result = serviceAllocationRequest(service({ ipFamilyPolicy: 'RequireDualStack', ...spec }), classes);
    if (problem === undefined) {
      expect(result.ok && result.value.request).toEqual(expect.objectContaining({ ipFamilyPolicy: 'RequireDualStack' }));
      return;
    }
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid-service', message: `spec.ipFamilyPolicy: requires dual stack but not enough clusterips: ${problem}` } });
    if (result.ok || result.error.kind !== 'invalid-service') return;
    expect(result.error.issues).toEqual([{ severity: 'error', annotation: 'spec.ipFamilyPolicy', message: `requires dual stack but not enough clusterips: ${problem}` }]);
  });
  it('ran every dual-stack case', () => expect(dualStack.length).toBeGreaterThan(0));

  it('serves only its own class when told to', () => {
    expect(serviceAllocationRequest(service({}), classes, { loadBalancerClass: 'metallb' })).toEqual({
      ok: false,
      error: { kind: 'not-ours', message: "no loadBalancerClass, and this load balancer only serves 'metallb'" },
    });
    expect(serviceAllocationRequest(service({ loadBalancerClass: 'metallb' }), classes, { loadBalancerClass: 'metallb' }).ok).toBe(true);
  });
});
