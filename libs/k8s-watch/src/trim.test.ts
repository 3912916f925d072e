import { describe, expect, it } from 'vitest';
import { type KubeObject, type ObjectMeta } from './objects.js';
import { LAST_APPLIED_ANNOTATION, trimMetadata, trimObject } from './trim.js';

const managedFields = [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];

describe('trimMetadata', () => {
  const cases: Array<{ name: string; meta: ObjectMeta; want: ObjectMeta; same?: boolean }> = [
    { name: 'nothing to drop: the same object', meta: { name: 'a', resourceVersion: '1', annotations: { x: 'y' } }, want: { name: 'a', resourceVersion: '1', annotations: { x: 'y' } }, same: true },
    { name: 'managedFields dropped', meta: { name: 'a', resourceVersion: '1', managedFields }, want: { name: 'a', resourceVersion: '1' } },
    {
      name: 'last-applied dropped, other annotations kept',
      meta: { name: 'a', resourceVersion: '1', labels: { l: 'v' }, annotations: { [LAST_APPLIED_ANNOTATION]: '{"big":true}', 'metallb.io/address-pool': 'p' } },
      want: { name: 'a', resourceVersion: '1', labels: { l: 'v' }, annotations: { 'metallb.io/address-pool': 'p' } },
    },
    {
      name: 'both dropped',
      meta: { name: 'a', namespace: 'n', uid: 'u', resourceVersion: '1', managedFields, annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } },
      want: { name: 'a', namespace: 'n', uid: 'u', resourceVersion: '1', annotations: {} },
    },
  ];
  it.each(cases)('$name', ({ meta, want, same }) => {
    const before = structuredClone(meta);
    const got = trimMetadata(meta);
    expect(got).toEqual(want);
    expect(got === meta).toBe(same === true);
    expect(meta).toEqual(before);
  });
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));
});

describe('trimObject', () => {
  it('keeps everything but the trimmed metadata, and returns an object without metadata as it is', () => {
    const svc = { kind: 'Service', metadata: { name: 'a', resourceVersion: '1', managedFields }, spec: { type: 'LoadBalancer' } } as KubeObject;
    expect(trimObject(svc)).toEqual({ kind: 'Service', metadata: { name: 'a', resourceVersion: '1' }, spec: { type: 'LoadBalancer' } });
    const bare: KubeObject = { kind: 'X' };
    expect(trimObject(bare)).toBe(bare);
  });
});
