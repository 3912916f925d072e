import { describe, expect, it } from 'vitest';
import { ObjectCache } from './cache.js';
import { type KubeObject } from './objects.js';

interface Svc extends KubeObject {
  spec?: { loadBalancerIP?: string; pool?: string[] };
}

function svc(ns: string | undefined, name: string, rv: string, labels?: Record<string, string>, pool?: string[]): Svc {
  return { metadata: { ...(ns ? { namespace: ns } : {}), name, resourceVersion: rv, ...(labels ? { labels } : {}) }, ...(pool ? { spec: { pool } } : {}) };
}

const names = (it: Iterable<KubeObject>): string[] => [...it].map((o) => o.metadata?.name ?? '').sort();

describe('ObjectCache', () => {
  it('keys by namespace/name and name for cluster-scoped objects', () => {
    const c = new ObjectCache<Svc>();
    c.upsert(svc('a', 'web', '1'));
    c.upsert(svc(undefined, 'node1', '2'));
    expect([...c.keys()].sort()).toEqual(['a/web', 'node1']);
    expect(c.getByName('a', 'web')?.metadata?.resourceVersion).toBe('1');
    expect(c.getByName(undefined, 'node1')).toBeDefined();
  });

  it('hands out the stored objects themselves', () => {
    const c = new ObjectCache<Svc>();
    const o = svc('a', 'web', '1');
    c.upsert(o);
    expect(c.get('a/web')).toBe(o);
    expect([...c.values()][0]).toBe(o);
    expect([...c.byNamespace('a')][0]).toBe(o);
  });

  it('keeps namespace, label and custom indexes current through updates and deletes', () => {
    const c = new ObjectCache<Svc>({ indexers: { pool: (o) => o.spec?.pool } });
    c.upsert(svc('a', 's1', '1', { app: 'web', tier: 'fe' }, ['p1', 'p2']));
    c.upsert(svc('a', 's2', '1', { app: 'web', tier: 'be' }, ['p1']));
    c.upsert(svc('b', 's3', '1', { app: 'db' }));
    expect(names(c.byNamespace('a'))).toEqual(['s1', 's2']);
    expect(names(c.byIndex('pool', 'p1'))).toEqual(['s1', 's2']);
    expect(c.countByIndex('pool', 'p2')).toBe(1);
    expect(names(c.byLabels({ app: 'web' }))).toEqual(['s1', 's2']);
    expect(names(c.byLabels({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] }))).toEqual(['s2']);
    expect(names(c.byLabels({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }))).toEqual(['s3']);

    c.upsert(svc('a', 's1', '2', { app: 'db' }, ['p3']));
    expect(names(c.byIndex('pool', 'p1'))).toEqual(['s2']);
    expect(c.countByIndex('pool', 'p2')).toBe(0);
    expect([...c.indexValues('pool')].sort()).toEqual(['p1', 'p3']);
    expect(names(c.byLabels({ app: 'db' }))).toEqual(['s1', 's3']);

    c.delete('a/s2');
    expect(names(c.byIndex('pool', 'p1'))).toEqual([]);
    expect(names(c.byNamespace('a'))).toEqual(['s1']);
    expect([...c.indexValues('pool')]).toEqual(['p3']);
  });

  it('indexes existing objects when an index is added later, and rejects duplicates', () => {
    const c = new ObjectCache<Svc>();
    c.upsert(svc('a', 's1', '1', undefined, ['p1']));
    c.addIndex('pool', (o) => o.spec?.pool);
    expect(names(c.byIndex('pool', 'p1'))).toEqual(['s1']);
    expect(() => c.addIndex('pool', () => undefined)).toThrow(/already exists/);
    expect(() => c.byIndex('nope', 'x')).toThrow(/no index named 'nope'/);
  });

  it('answers byLabels by scanning when the label index is off', () => {
    const c = new ObjectCache<Svc>({ labelIndex: false });
    c.upsert(svc('a', 's1', '1', { app: 'web' }));
    c.upsert(svc('a', 's2', '1', { app: 'db' }));
    expect(names(c.byLabels({ app: 'web' }))).toEqual(['s1']);
    expect(() => [...c.byLabels({ matchExpressions: [{ key: 'x', operator: 'Bad' }] })]).toThrow(/invalid label selector: .*'Bad'/);
  });

  const replaceCases: { name: string; before: Svc[]; list: Svc[]; added: string[]; updated: string[]; deleted: string[] }[] = [
    { name: 'initial fill', before: [], list: [svc('a', 'x', '1'), svc('a', 'y', '1')], added: ['x', 'y'], updated: [], deleted: [] },
    { name: 'nothing changed', before: [svc('a', 'x', '1')], list: [svc('a', 'x', '1')], added: [], updated: [], deleted: [] },
    {
      name: 'add, update, vanish',
      before: [svc('a', 'x', '1'), svc('a', 'y', '1'), svc('a', 'z', '1')],
      list: [svc('a', 'x', '1'), svc('a', 'y', '5'), svc('a', 'w', '6')],
      added: ['w'],
      updated: ['y'],
      deleted: ['z'],
    },
    { name: 'everything vanished', before: [svc('a', 'x', '1')], list: [], added: [], updated: [], deleted: ['x'] },
  ];
  it('has replace cases', () => expect(replaceCases.length).toBeGreaterThan(0));
  it.each(replaceCases)('replace: $name', ({ before, list, added, updated, deleted }) => {
    const c = new ObjectCache<Svc>();
    for (const o of before) c.upsert(o);
    const changes = c.replace(list);
    expect(names(changes.added)).toEqual(added);
    expect(names(changes.updated.map(([, n]) => n))).toEqual(updated);
    expect(names(changes.deleted)).toEqual(deleted);
    expect(names(c.values())).toEqual(names(list));
  });

  it('replace keeps the cached object when the resourceVersion is unchanged', () => {
    const c = new ObjectCache<Svc>();
    const original = svc('a', 'x', '1');
    c.upsert(original);
    c.replace([svc('a', 'x', '1')]);
    expect(c.get('a/x')).toBe(original);
  });
});
