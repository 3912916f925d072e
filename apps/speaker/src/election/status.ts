// What the speaker publishes about its announcements, as MetalLB does: one ServiceL2Status per
// Service it announces (labelled with the node and the Service), and an Event on the Service when it
// starts announcing it. Pure: the process writes these through the API.
import { type ServiceL2Status } from '@lb/config-schema';
import { type L2Decision } from './elect.js';

export const L2_STATUS_LABELS = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
} as const;

export interface DesiredL2Status {
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: NonNullable<ServiceL2Status['status']>;
}

function split(service: string): { namespace: string; name: string } {
  const slash = service.indexOf('/');
  return { namespace: service.slice(0, slash), name: service.slice(slash + 1) };
}

/** Service key → the ServiceL2Status this node should have for it (none for Services it does not announce). */
export function desiredL2Statuses(decision: L2Decision): Map<string, DesiredL2Status> {
  const out = new Map<string, DesiredL2Status>();
  for (const announcement of decision.announcements) {
    if (out.has(announcement.service)) continue;
    const { namespace, name } = split(announcement.service);
    out.set(announcement.service, {
      service: announcement.service,
      labels: { [L2_STATUS_LABELS.node]: decision.node, [L2_STATUS_LABELS.serviceName]: name, [L2_STATUS_LABELS.serviceNamespace]: namespace },
      // MetalLB lists interfaces only when the announcement is restricted to some.
      status: {
        node: decision.node,
        serviceName: name,
        serviceNamespace: namespace,
        ...(announcement.interfaces.length > 0 ? { interfaces: announcement.interfaces.map((i) => ({ name: i })) } : {}),
      },
    });
  }
  return out;
}

/** The object to create in `namespace` (the speaker's); the API names it (`l2-…`). */
export function serviceL2StatusObject(desired: DesiredL2Status, namespace: string) {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'ServiceL2Status',
    metadata: { generateName: 'l2-', namespace, labels: { ...desired.labels } },
    status: { ...desired.status },
  };
}

export interface AnnouncementEvent {
  readonly service: string;
  readonly type: 'Normal';
  readonly reason: 'nodeAssigned';
  readonly message: string;
}

/** MetalLB's Event for each Service this node starts announcing (it repeats it on every sync; we say it once). */
export function announcementEvents(previous: L2Decision | undefined, next: L2Decision): AnnouncementEvent[] {
  const before = new Set(previous?.announcements.map((a) => a.service));
  const started = new Set(next.announcements.map((a) => a.service).filter((s) => !before.has(s)));
  return [...started].map((service) => ({ service, type: 'Normal', reason: 'nodeAssigned', message: `announcing from node "${next.node}" with protocol "layer2"` }));
}
