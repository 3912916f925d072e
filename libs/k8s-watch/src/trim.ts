// Building blocks for informer transforms (InformerOptions.transform). The API server adds to every
// object bookkeeping that no controller reads and that is often larger than the object itself:
// metadata.managedFields (server-side apply) and kubectl's last-applied-configuration annotation (a
// second copy of the whole object). A cache of thousands of objects should not hold them.
import { type KubeObject, type ObjectMeta } from './objects.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** `meta` without managedFields and the last-applied annotation; the same object when it has neither. */
export function trimMetadata(meta: ObjectMeta): ObjectMeta {
  const annotations = meta.annotations;
  const lastApplied = annotations !== undefined && LAST_APPLIED_ANNOTATION in annotations;
  if (meta.managedFields === undefined && !lastApplied) return meta;
  const { managedFields: _dropped, ...rest } = meta;
  if (!lastApplied) return rest;
  const { [LAST_APPLIED_ANNOTATION]: _copy, ...kept } = annotations;
  return { ...rest, annotations: kept };
}

/** A transform for any object: its metadata trimmed (trimMetadata), everything else as it came. */
export function trimObject<T extends KubeObject>(obj: T): T {
  if (!obj.metadata) return obj;
  const metadata = trimMetadata(obj.metadata);
  return metadata === obj.metadata ? obj : { ...obj, metadata };
}
