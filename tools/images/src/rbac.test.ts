import { describe, expect, it } from 'vitest';
import { grantingRule, requestAttributes, type RequestAttributes } from './rbac.js';

describe('requestAttributes', () => {
  const cases: Array<[string, string, Partial<RequestAttributes> | undefined]> = [
    ['GET', '/api/v1/services?limit=500', { verb: 'list', apiGroup: '', resource: 'services', namespace: '' }],
    ['GET', '/api/v1/services?watch=true&resourceVersion=5', { verb: 'watch', resource: 'services' }],
    ['PATCH', '/api/v1/namespaces/a/services/web/status', { verb: 'patch', resource: 'services', subresource: 'status', namespace: 'a', name: 'web' }],
    ['GET', '/apis/metallb.io/v1beta1/namespaces/m/ipaddresspools?watch=1', { verb: 'watch', apiGroup: 'metallb.io', namespace: 'm', resource: 'ipaddresspools' }],
    ['PUT', '/apis/coordination.k8s.io/v1/namespaces/m/leases/lead', { verb: 'update', name: 'lead', resource: 'leases' }],
    ['POST', '/api/v1/namespaces/m/events', { verb: 'create', resource: 'events', name: '' }],
    ['GET', '/api/v1/namespaces', { verb: 'list', resource: 'namespaces', namespace: '' }],
    ['GET', '/api/v1/namespaces/kube-system', { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: '' }],
    ['DELETE', '/api/v1/namespaces/m/pods', { verb: 'deletecollection', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/m/secrets?fieldSelector=metadata.name%3Dkey', { verb: 'list', name: 'key' }],
    ['GET', '/apis', undefined],
    ['GET', '/version', undefined],
  ];
  it.each(cases)('%s %s', (method, url, expected) => {
    const got = requestAttributes(method, url);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(expected);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});

describe('grantingRule', () => {
  const rules = [
    { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['lead'], verbs: ['get', 'update'] },
    { apiGroups: [''], resources: ['services/status'], verbs: ['patch'] },
  ];
  const at = (method: string, url: string): RequestAttributes => requestAttributes(method, url) as RequestAttributes;
  it('grants by verb, group, resource and name', () => {
    expect(grantingRule(rules, at('GET', '/api/v1/services'))).toBe(rules[0]);
    expect(grantingRule(rules, at('PUT', '/apis/coordination.k8s.io/v1/namespaces/m/leases/lead'))).toBe(rules[1]);
    expect(grantingRule(rules, at('PATCH', '/api/v1/namespaces/a/services/web/status'))).toBe(rules[2]);
  });
  it('refuses another verb, name or subresource', () => {
    expect(grantingRule(rules, at('PATCH', '/api/v1/namespaces/a/services/web'))).toBeUndefined();
    expect(grantingRule(rules, at('PUT', '/apis/coordination.k8s.io/v1/namespaces/m/leases/other'))).toBeUndefined();
    expect(grantingRule(rules, at('POST', '/apis/coordination.k8s.io/v1/namespaces/m/leases'))).toBeUndefined();
  });
});
