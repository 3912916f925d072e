import { describe, expect, it } from 'vitest';
import { type KubeClient } from './client.js';
import { InformerFactory } from './informer-factory.js';
import { type KubeObject } from './objects.js';
import { Services } from './resources.js';
import { trimObject } from './trim.js';

// informer() only builds the list-watcher; nothing talks to the client until start().
const client = {} as KubeClient;

describe('InformerFactory transforms', () => {
  it('shares an informer between consumers passing the same transform', () => {
    const factory = new InformerFactory(client);
    const a = factory.informer(Services, {}, { transform: trimObject });
    expect(factory.informer(Services, {}, { transform: trimObject })).toBe(a);
  });

  it('refuses a second consumer with another transform, or none, rather than hand it trimmed objects', () => {
    const factory = new InformerFactory(client);
    factory.informer(Services, {}, { transform: trimObject });
    expect(() => factory.informer(Services)).toThrow(/different transform/);
    expect(() => factory.informer(Services, {}, { transform: (o: KubeObject) => o })).toThrow(/different transform/);
    // Another selection is another informer.
    expect(factory.informer(Services, { namespace: 'x' })).toBeDefined();
  });
});
