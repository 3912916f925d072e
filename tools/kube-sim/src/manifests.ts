// YAML manifests: multi-document files (and `kind: List`) parsed into objects, with errors naming
// the source and the document, and applied in order so CRDs serve their kinds to later documents.
import { parseAllDocuments } from 'yaml';
import { type KubeApi } from './api.js';
import { isObject, type Obj } from './objects.js';
import { ApiError } from './status.js';

export class ManifestError extends Error {}

/** Every object in a YAML stream, in order; all problems are reported together. */
export function parseManifests(text: string, source = '<input>'): Obj[] {
  const objects: Obj[] = [];
  const problems: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push(`${source}: document ${i + 1}: ${e.message.split('\n')[0] ?? ''}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isObject(value)) {
      problems.push(`${source}: document ${i + 1}: not a mapping`);
      return;
    }
    const items = value['kind'] === 'List' && Array.isArray(value['items']) ? (value['items'] as unknown[]) : [value];
    items.forEach((item, j) => {
      const where = items.length > 1 || item !== value ? `${source}: document ${i + 1} item ${j + 1}` : `${source}: document ${i + 1}`;
      if (!isObject(item) || typeof item['apiVersion'] !== 'string' || typeof item['kind'] !== 'string') {
        problems.push(`${where}: apiVersion and kind are required`);
        return;
      }
      objects.push(item as Obj);
    });
  });
  if (problems.length > 0) throw new ManifestError(problems.join('\n'));
  return objects;
}

/** Creates each object, or replaces it when it exists; returns what was stored. */
export async function applyObjects(api: KubeApi, objects: readonly Obj[], source = '<input>'): Promise<Obj[]> {
  const out: Obj[] = [];
  for (const obj of objects) {
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace ?? 'default';
    const t = api.targetFor(String(obj['apiVersion']), String(obj['kind']), namespace, name);
    if (!t) throw new ManifestError(`${source}: no resource serves ${String(obj['kind'])} in ${String(obj['apiVersion'])}`);
    try {
      const existing = name ? api.store.get(t.resolved.storeKey, t.resolved.type.namespaced ? `${t.namespace}/${name}` : name) : undefined;
      const result = existing ? await api.update(t, obj) : await api.create(t, obj);
      out.push(result.object);
    } catch (err) {
      if (err instanceof ApiError) throw new ManifestError(`${source}: ${String(obj['kind'])} "${name}": ${err.message}`);
      throw err;
    }
  }
  return out;
}
