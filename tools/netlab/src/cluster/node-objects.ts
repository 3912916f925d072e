import { type PlannedNode } from './plan.js';

/**
 * The lab's nodes as Kubernetes Node objects (a v1 List), as a kubelet would register them: the
 * LAN addresses as InternalIP (what a speaker takes for its node's address), Ready.
 */
export function nodeObjects(nodes: readonly PlannedNode[]): object {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: nodes.map((n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name, labels: { ...n.labels } },
      spec: {},
      status: {
        addresses: [
          { type: 'InternalIP', address: n.lan.ipv4 },
          { type: 'InternalIP', address: n.lan.ipv6 },
          { type: 'Hostname', address: n.name },
        ],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'netlab node' }],
      },
    })),
  };
}
