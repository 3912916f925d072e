// What the controller's informer caches keep of each object (their transforms). Of Nodes and
// Namespaces it reads names and labels only (node selectors, namespace selectors, a class's node
// count): a Node's status alone (images, conditions, capacity) is kilobytes. Services and the
// configuration keep everything but the API server's bookkeeping (trimObject): the service loop
// compares their spec, annotations and status, and the webhook checks whole configuration objects.
import { type KubeObject, trimMetadata } from '@lb/k8s-watch';

/** apiVersion, kind, and of metadata the identity, version and labels. */
export function labelsOnly(obj: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, labels } = trimMetadata(obj.metadata ?? {});
  return {
    ...(obj.apiVersion !== undefined ? { apiVersion: obj.apiVersion } : {}),
    ...(obj.kind !== undefined ? { kind: obj.kind } : {}),
    metadata: {
      ...(name !== undefined ? { name } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(uid !== undefined ? { uid } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(labels !== undefined ? { labels } : {}),
    },
  };
}
