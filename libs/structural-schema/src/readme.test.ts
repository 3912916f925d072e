import { describe, expect, it } from 'vitest';
import { describeViolation, fieldPath, processCustomResource, statusCause, type StructuralSchema } from './index.js';

// The example in README.md, kept working.
describe('README example', () => {
  it('behaves as documented', () => {
    const schema: StructuralSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            port: { type: 'integer', maximum: 65535, default: 179 },
            connectTime: { type: 'string', 'x-kubernetes-validations': [{ rule: 'duration(self).getSeconds() >= 1', message: 'at least a second' }] },
          },
        },
      },
    };
    const input = { apiVersion: 'x/v1', kind: 'Peer', metadata: { name: 'a' }, spec: { connectTime: '500ms', colour: 'red' } };
    const result = processCustomResource(input, schema);
    expect(result.value).toEqual({ apiVersion: 'x/v1', kind: 'Peer', metadata: { name: 'a' }, spec: { port: 179, connectTime: '500ms' } });
    expect(result.pruned.map(fieldPath)).toEqual(['spec.colour']);
    expect(result.violations.map(statusCause)).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.connectTime', message: 'Invalid value: "string": at least a second' }]);
    expect(result.violations.map(describeViolation)).toEqual([{ path: ['spec', 'connectTime'], message: 'at least a second' }]);
    const stored = { ...input, spec: { connectTime: '2s' } };
    expect(processCustomResource(stored, schema, { oldValue: stored }).violations).toEqual([]);
  });
});
