// Defaults and checks kube-apiserver applies to the built-in kinds the project relies on: Service
// cluster IPs, node ports and policies, Namespace phase and finalizer, Pod phase, Secret type, and
// the status a CustomResourceDefinition gets when it is accepted.
import { checkCrdSchema } from '@lb/structural-schema';
import { isObject, type Obj, setOwn } from './objects.js';
import { type StatusCause } from './status.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/**
 * Hands out service cluster IPs from 10.96.0.0/12 and fd00:10:96::/108 (a dual-stack cluster,
 * IPv4 first) and node ports from 30000-32767.
 */
export class ServiceAllocator {
  private nextIp = 10;
  private nextIpv6 = 10;
  private readonly usedIps = new Set<string>();
  private nextPort = NODE_PORT_MIN;
  private readonly usedPorts = new Set<number>();

  clusterIP(): string {
    for (;;) {
      const n = this.nextIp++;
      // 10.96.0.0/12 spans 10.96.0.0-10.111.255.255.
      const ip = `10.${96 + ((n >>> 16) & 15)}.${(n >>> 8) & 255}.${n & 255}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  clusterIPv6(): string {
    for (;;) {
      const n = this.nextIpv6++;
      const ip = `fd00:10:96::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`.replace('::0:', '::');
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
  }

  reserveIP(ip: string): void {
    this.usedIps.add(ip);
  }

  /**
   * A free node port. When all 2,768 are taken the range is reused rather than failing: tests
   * create far more LoadBalancer services than a real cluster's node-port range holds.
   */
  nodePort(): number {
    const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    for (let i = 0; i < size; i++) {
      const port = this.nextPort;
      this.nextPort = port === NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
      if (!this.usedPorts.has(port)) {
        this.usedPorts.add(port);
        return port;
      }
    }
    const port = this.nextPort;
    this.nextPort = port === NODE_PORT_MAX ? NODE_PORT_MIN : port + 1;
    return port;
  }

  reservePort(port: number): void {
    this.usedPorts.add(port);
  }

  releasePort(port: number): void {
    this.usedPorts.delete(port);
  }
}

type Port = Record<string, unknown>;

/** Fills a Service's defaults; `old` carries allocations that an update must keep. */
export function defaultService(obj: Obj, old: Obj | undefined, alloc: ServiceAllocator): void {
  const spec = isObject(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
  const oldSpec = old && isObject(old['spec']) ? old['spec'] : undefined;
  spec['type'] ??= 'ClusterIP';
  const type = spec['type'];
  spec['sessionAffinity'] ??= 'None';
  if (type !== 'ExternalName') {
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === '') {
      spec['clusterIP'] = oldSpec?.['clusterIP'] ?? alloc.clusterIP();
    } else if (typeof spec['clusterIP'] === 'string' && spec['clusterIP'] !== 'None') alloc.reserveIP(spec['clusterIP']);
    const primary = String(spec['clusterIP']).includes(':') ? 'IPv6' : 'IPv4';
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    // As a dual-stack cluster: PreferDualStack and RequireDualStack get both families and a
    // cluster IP of each (unless the Service names one family), SingleStack one.
    const dual = spec['ipFamilyPolicy'] !== 'SingleStack' && spec['clusterIP'] !== 'None';
    spec['ipFamilies'] ??= oldSpec?.['ipFamilies'] ?? (dual ? [primary, primary === 'IPv4' ? 'IPv6' : 'IPv4'] : [primary]);
    const both = dual && Array.isArray(spec['ipFamilies']) && spec['ipFamilies'].length > 1;
    spec['clusterIPs'] ??= oldSpec?.['clusterIPs'] ?? (both ? [spec['clusterIP'], primary === 'IPv4' ? alloc.clusterIPv6() : alloc.clusterIP()] : [spec['clusterIP']]);
    spec['internalTrafficPolicy'] ??= 'Cluster';
  }
  const wantsNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
  if (type === 'NodePort' || type === 'LoadBalancer') spec['externalTrafficPolicy'] ??= 'Cluster';
  if (type === 'LoadBalancer') spec['allocateLoadBalancerNodePorts'] ??= true;
  const oldPorts = (Array.isArray(oldSpec?.['ports']) ? oldSpec['ports'] : []) as Port[];
  if (Array.isArray(spec['ports'])) {
    for (const p of spec['ports'] as unknown[]) {
      if (!isObject(p)) continue;
      p['protocol'] ??= 'TCP';
      p['targetPort'] ??= p['port'];
      if (wantsNodePorts) {
        if (p['nodePort'] === undefined) {
          const kept = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === p['protocol'])?.['nodePort'];
          p['nodePort'] = typeof kept === 'number' ? kept : alloc.nodePort();
        } else if (typeof p['nodePort'] === 'number') alloc.reservePort(p['nodePort']);
      }
    }
  }
}

export function validateService(obj: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const type = spec['type'];
  if (typeof type !== 'string' || !SERVICE_TYPES.includes(type)) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.type', message: `Unsupported value: ${JSON.stringify(type)}: supported values: ${SERVICE_TYPES.map((t) => `"${t}"`).join(', ')}` });
  }
  const ports = spec['ports'];
  if (type !== 'ExternalName' && spec['clusterIP'] !== 'None' && (!Array.isArray(ports) || ports.length === 0)) {
    causes.push({ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' });
  }
  if (Array.isArray(ports)) {
    ports.forEach((p: unknown, i) => {
      const port = isObject(p) ? p['port'] : undefined;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].port`, message: `Invalid value: ${JSON.stringify(port ?? null)}: must be between 1 and 65535, inclusive` });
      }
      const protocol = isObject(p) ? p['protocol'] : undefined;
      if (protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(String(protocol))) {
        causes.push({ reason: 'FieldValueNotSupported', field: `spec.ports[${i}].protocol`, message: `Unsupported value: ${JSON.stringify(protocol)}: supported values: "SCTP", "TCP", "UDP"` });
      }
    });
  }
  return causes;
}

/** Service node ports an object holds, so a deletion can give them back. */
export function serviceNodePorts(obj: Obj): number[] {
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const ports = Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]) : [];
  return ports.map((p) => (isObject(p) ? p['nodePort'] : undefined)).filter((p): p is number => typeof p === 'number');
}

/** The status each built-in kind starts with when its status is not the client's to set on create. */
export function initialStatus(resource: string, obj: Obj): unknown {
  switch (resource) {
    case 'services':
      return { loadBalancer: {} };
    case 'namespaces':
      return { phase: 'Active' };
    case 'pods':
      return { phase: 'Pending' };
    case 'customresourcedefinitions.apiextensions.k8s.io':
      return crdStatus(obj);
    default:
      return undefined;
  }
}

export function defaultNamespace(obj: Obj): void {
  const name = obj.metadata?.name;
  const meta = obj.metadata ?? (obj.metadata = {});
  if (name) meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': name };
  const spec = isObject(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
  spec['finalizers'] ??= ['kubernetes'];
}

export function defaultSecret(obj: Obj): void {
  obj['type'] ??= 'Opaque';
  // stringData is write-only: folded into data, base64-encoded, as the real server does.
  if (isObject(obj['stringData'])) {
    const data = isObject(obj['data']) ? obj['data'] : (obj['data'] = {});
    for (const [k, v] of Object.entries(obj['stringData'])) setOwn(data, k, Buffer.from(String(v)).toString('base64'));
    delete obj['stringData'];
  }
}

function crdStatus(obj: Obj): unknown {
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const versions = Array.isArray(spec['versions']) ? (spec['versions'] as Array<Record<string, unknown>>) : [];
  return {
    acceptedNames: spec['names'] ?? {},
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions: versions.filter((v) => v['storage'] === true).map((v) => v['name']),
  };
}

/** The structural checks on a CRD that kube-sim relies on to serve it. */
export function validateCrd(obj: Obj): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj['spec']) ? obj['spec'] : undefined;
  if (!spec) return [{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' }];
  const group = spec['group'];
  const names = isObject(spec['names']) ? spec['names'] : {};
  if (typeof group !== 'string' || group === '') causes.push({ reason: 'FieldValueRequired', field: 'spec.group', message: 'Required value' });
  else if (!group.includes('.')) causes.push({ reason: 'FieldValueInvalid', field: 'spec.group', message: `Invalid value: ${JSON.stringify(group)}: should be a domain with at least one dot` });
  if (typeof names['plural'] !== 'string' || names['plural'] === '') causes.push({ reason: 'FieldValueRequired', field: 'spec.names.plural', message: 'Required value' });
  if (typeof names['kind'] !== 'string' || names['kind'] === '') causes.push({ reason: 'FieldValueRequired', field: 'spec.names.kind', message: 'Required value' });
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec['scope'] ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  const versions = Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]) : [];
  if (versions.length === 0) causes.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: 'Invalid value: null: must have exactly one version marked as storage version' });
  else if (versions.filter((v) => isObject(v) && v['storage'] === true).length !== 1) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: ${JSON.stringify(versions.map((v) => (isObject(v) ? v['name'] : v)))}: must have exactly one version marked as storage version` });
  }
  versions.forEach((v, i) => {
    if (!isObject(v) || typeof v['name'] !== 'string' || v['name'] === '') causes.push({ reason: 'FieldValueRequired', field: `spec.versions[${i}].name`, message: 'Required value' });
    // A schema kube-apiserver would refuse is refused here, before any object of the kind is written.
    const validation = isObject(v) ? v['schema'] : undefined;
    const schema = isObject(validation) ? validation['openAPIV3Schema'] : undefined;
    if (schema === undefined || schema === null) {
      causes.push({ reason: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
    } else causes.push(...checkCrdSchema(schema, `spec.versions[${i}].schema.openAPIV3Schema`));
  });
  const expected = `${String(names['plural'] ?? '')}.${String(group ?? '')}`;
  if (obj.metadata?.name !== expected) {
    causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(obj.metadata?.name ?? '')}: must be spec.names.plural+"."+spec.group` });
  }
  return causes;
}
