// Builders for test resources, so that each table row shows only what it is about.
import { join } from 'node:path';
import { sharedDir as sharedTestData } from '@lb/testdata';

export const NS = 'metallb-system';

/** The project's shared test data (reference data and seeds), see @lb/testdata. */
export const sharedDir = sharedTestData();
export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

type Spec = Record<string, unknown>;
type Meta = { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

const meta = (name: string, extra: Meta = {}) => ({ name, namespace: extra.namespace ?? NS, ...(extra.labels ? { labels: extra.labels } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) });

export const pool = (name: string, addresses: unknown, spec: Spec = {}, extra: Meta = {}) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: meta(name, extra),
  spec: { addresses, ...spec },
});

export const l2 = (name: string, spec?: Spec, extra: Meta = {}) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: meta(name, extra),
  ...(spec ? { spec } : {}),
});

export const bgp = (name: string, spec?: Spec, extra: Meta = {}) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPAdvertisement',
  metadata: meta(name, extra),
  ...(spec ? { spec } : {}),
});

export const peer = (name: string, spec: Spec, extra: Meta = {}) => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: meta(name, extra),
  spec: { myASN: 64512, peerASN: 64513, peerAddress: '172.30.0.3', ...spec },
});

export const peerV1beta1 = (name: string, spec: Spec, extra: Meta = {}) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPPeer',
  metadata: meta(name, extra),
  spec: { myASN: 64512, peerASN: 64513, peerAddress: '172.30.0.3', ...spec },
});

export const bfd = (name: string, spec: Spec = {}) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta(name), spec });

export const community = (name: string, aliases: Array<{ name?: string; value?: string }>) => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'Community',
  metadata: meta(name),
  spec: { communities: aliases },
});

export const lbClass = (name: string, spec: Spec) => ({
  apiVersion: 'network.deckhouse.io/v1alpha1',
  kind: 'MetalLoadBalancerClass',
  metadata: { name },
  spec: { type: 'L2', ...spec },
});

export const node = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
