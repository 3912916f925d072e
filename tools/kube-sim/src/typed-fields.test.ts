import { describe, expect, it } from 'vitest';
import { BUILTIN_FIELDS } from './builtin-fields.js';
import { decodeTyped } from './typed-fields.js';

describe('decodeTyped (built-in kinds as the API server decodes them)', () => {
  it('drops and reports unknown fields with kube-apiserver paths', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', colour: 'red' }, spec: { loadBalancerIp: '1.2.3.4', ports: [{ port: 80, nodeport: 1 }] } };
    const issues = decodeTyped(BUILTIN_FIELDS, BUILTIN_FIELDS.roots['services'] as string, svc);
    expect(issues).toEqual({ unknown: ['metadata.colour', 'spec.loadBalancerIp', 'spec.ports[0].nodeport'] });
    expect(svc).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } });
  });

  const mismatches: Array<[string, unknown, string]> = [
    ['services', { spec: { ports: 80 } }, 'json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
    ['services', { spec: { ports: [{ port: 'http' }] } }, 'json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32'],
    ['services', { spec: { ports: [{ port: 1.5 }] } }, 'json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.port of type int32'],
    ['configmaps', { data: { a: 1 } }, 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string'],
    ['namespaces', { metadata: 'x' }, 'json: cannot unmarshal string into Go struct field Namespace.metadata of type v1.ObjectMeta'],
    ['customresourcedefinitions.apiextensions.k8s.io', { spec: { versions: [{ schema: { openAPIV3Schema: 'foo' } }] } }, 'json: cannot unmarshal string into Go struct field CustomResourceValidation.spec.versions.schema.openAPIV3Schema of type v1.JSONSchemaProps'],
  ];
  it.each(mismatches)('%s %j', (resource, value, message) => {
    expect(decodeTyped(BUILTIN_FIELDS, BUILTIN_FIELDS.roots[resource] as string, value).typeError).toBe(message);
  });
  it('ran the table', () => expect(mismatches.length).toBeGreaterThan(0));

  it('accepts null anywhere, int-or-string either way, and prototype names only as unknown fields', () => {
    const svc = JSON.parse('{"spec":{"clusterIP":null,"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}],"__proto__":{"x":1},"constructor":1}}');
    expect(decodeTyped(BUILTIN_FIELDS, 'V1Service', svc)).toEqual({ unknown: ['spec.__proto__', 'spec.constructor'] });
    expect(Object.keys(svc.spec)).toEqual(['clusterIP', 'ports']);
  });
});
