import { describe, expect, it } from 'vitest';
import { type KubeObject } from '@lb/k8s-watch';
import { configSignature, configurationStatus, invalidMessage, oldestFirst } from './config-sync.js';

const pool = (name: string, created: string, generation = 1): KubeObject => ({
  kind: 'IPAddressPool',
  metadata: { name, namespace: 'metallb-system', creationTimestamp: created, generation, resourceVersion: String(generation * 10) },
});

describe('the configuration loop, pure parts', () => {
  it('orders objects oldest first, keeping the cache order among equals', () => {
    const objects = [pool('new', '2026-12-04T10:00:05Z'), pool('old', '2026-12-04T09:00:00Z'), pool('same-a', '2026-12-04T10:00:05Z')];
    expect(oldestFirst(objects).map((o) => o.metadata?.name)).toEqual(['old', 'new', 'same-a']);
  });

  it('compiles again only when a spec changes, not for status writes', () => {
    const before = configSignature([pool('a', 't', 1)]);
    expect(configSignature([{ ...pool('a', 't', 1), status: { assignedIPv4: 3 } } as KubeObject])).toBe(before);
    expect(configSignature([pool('a', 't', 2)])).not.toBe(before);
  });

  it('says Valid, or Invalid with every error; a valid one clears the summary', () => {
    const now = new Date('2026-12-04T10:00:00.123Z');
    expect(configurationStatus([], now)).toEqual({
      result: 'Valid',
      errorSummary: null,
      conditions: [{ type: 'Ready', status: 'True', reason: 'ConfigurationValid', message: 'the configuration is valid and in use', lastTransitionTime: '2026-12-04T10:00:00Z' }],
    });
    const invalid = configurationStatus([{ severity: 'error', resource: { kind: 'IPAddressPool', name: 'p', namespace: 'metallb-system' }, path: 'spec.addresses[0]', message: 'bad' }], now);
    expect(invalid.result).toBe('Invalid');
    expect(invalid.errorSummary).toBe('IPAddressPool metallb-system/p: spec.addresses[0]: bad');
  });

  it('puts the problem first in the Event on the object, and where in it after', () => {
    expect(invalidMessage({ severity: 'error', path: 'spec.addresses[0]', message: "'172.16.16.150-172.16.16.20' starts after it ends" })).toBe(
      "'172.16.16.150-172.16.16.20' starts after it ends (spec.addresses[0])",
    );
    const long = invalidMessage({ severity: 'error', path: 'spec.addresses', message: `overlaps ${'10.0.0.1,'.repeat(200)}` });
    expect(Buffer.byteLength(long)).toBe(1024);
    expect(long.endsWith('... (spec.addresses)')).toBe(true);
  });
});
