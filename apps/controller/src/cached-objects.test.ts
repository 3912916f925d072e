import { describe, expect, it } from 'vitest';
import { type KubeObject } from '@lb/k8s-watch';
import { labelsOnly } from './cached-objects.js';

describe('labelsOnly', () => {
  const cases: Array<{ name: string; obj: KubeObject; want: KubeObject }> = [
    {
      name: 'a Node keeps its name, version and labels',
      obj: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1', uid: 'u', resourceVersion: '5', labels: { zone: 'a' }, annotations: { x: 'y' }, managedFields: [{ manager: 'kubelet' }] },
        spec: { podCIDR: '10.244.0.0/24' },
        status: { images: [{ names: ['pause'], sizeBytes: 1 }], conditions: [{ type: 'Ready', status: 'True' }] },
      } as KubeObject,
      want: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u', resourceVersion: '5', labels: { zone: 'a' } } },
    },
    {
      name: 'a Namespace without labels',
      obj: { kind: 'Namespace', metadata: { name: 'team', resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as KubeObject,
      want: { kind: 'Namespace', metadata: { name: 'team', resourceVersion: '1' } },
    },
  ];
  it.each(cases)('$name', ({ obj, want }) => expect(labelsOnly(obj)).toEqual(want));
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));
});
