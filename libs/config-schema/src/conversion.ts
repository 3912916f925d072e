// BGPPeer v1beta1 <-> v1beta2, for the conversion webhook and for compile() (which works on the
// storage version). v1beta1 is a subset of v1beta2 under the same field names, except for its own
// node selector shape; what v1beta1 cannot hold is kept in an annotation, so that an object read
// as v1beta1 and written back loses nothing (the API conventions ask conversions to round-trip).
import { isDeepStrictEqual } from 'node:util';
import { kindFor } from './kinds.js';
import { type BGPPeerResource, type BGPPeerV1beta1Resource } from './resources.js';
import { type LabelSelector } from './schema/kube.js';
import { type BGPPeerSpec, type BGPPeerV1beta1Spec } from './schema/bgppeer.js';

/** Holds a v1beta2 spec that v1beta1 cannot express, as JSON, on objects served as v1beta1. */
export const V1BETA2_SPEC_ANNOTATION = 'conversion.metallb.io/v1beta2-spec';

type LegacySelector = NonNullable<BGPPeerV1beta1Spec['nodeSelectors']>[number];

const SHARED_FIELDS = [
  'myASN',
  'peerASN',
  'peerAddress',
  'sourceAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'routerID',
  'password',
  'bfdProfile',
  'ebgpMultiHop',
] as const;

function copyShared(from: Record<string, unknown>): Record<string, unknown> {
  const to: Record<string, unknown> = {};
  for (const field of SHARED_FIELDS) if (from[field] !== undefined) to[field] = from[field];
  return to;
}

function toLabelSelector(selector: LegacySelector): LabelSelector {
  const out: LabelSelector = {};
  if (selector.matchLabels) out.matchLabels = { ...selector.matchLabels };
  if (selector.matchExpressions) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: [...e.values] }));
  }
  return out;
}

function toLegacySelector(selector: LabelSelector): LegacySelector {
  const out: LegacySelector = {};
  if (selector.matchLabels) out.matchLabels = { ...selector.matchLabels };
  if (selector.matchExpressions) {
    out.matchExpressions = selector.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] }));
  }
  return out;
}

function withoutAnnotation(metadata: BGPPeerResource['metadata']): BGPPeerResource['metadata'] {
  if (!metadata.annotations || !(V1BETA2_SPEC_ANNOTATION in metadata.annotations)) return structuredClone(metadata);
  const { [V1BETA2_SPEC_ANNOTATION]: _stash, ...annotations } = metadata.annotations;
  const copy = structuredClone(metadata);
  if (Object.keys(annotations).length > 0) copy.annotations = annotations;
  else delete copy.annotations;
  return copy;
}

function v1beta2SpecFrom(spec: BGPPeerV1beta1Spec): BGPPeerSpec {
  const out = copyShared(spec as Record<string, unknown>) as BGPPeerSpec;
  if (spec.nodeSelectors) out.nodeSelectors = spec.nodeSelectors.map(toLabelSelector);
  return out;
}

/** v1beta1 → v1beta2 (the storage version). Fields stashed by a previous downgrade come back. */
export function bgpPeerToV1beta2(peer: BGPPeerV1beta1Resource): BGPPeerResource {
  const stashText = peer.metadata.annotations?.[V1BETA2_SPEC_ANNOTATION];
  const converted = peer.spec ? v1beta2SpecFrom(peer.spec) : undefined;
  let spec = converted;
  if (stashText !== undefined && converted) {
    const stashed = parseStash(stashText);
    if (stashed) {
      // Fields v1beta1 has come from the v1beta1 object (it may have been edited); the rest from the stash.
      const merged: Record<string, unknown> = { ...stashed };
      for (const field of SHARED_FIELDS) delete merged[field];
      Object.assign(merged, copyShared(converted as Record<string, unknown>));
      const legacyNow = peer.spec?.nodeSelectors;
      const legacyStashed = stashed.nodeSelectors?.map(toLegacySelector);
      if (legacyNow === undefined) delete merged['nodeSelectors'];
      else if (!isDeepStrictEqual(legacyNow, legacyStashed)) merged['nodeSelectors'] = converted.nodeSelectors;
      spec = merged as BGPPeerSpec;
    }
  }
  const out: BGPPeerResource = { ...structuredClone(peer), apiVersion: 'metallb.io/v1beta2', metadata: withoutAnnotation(peer.metadata) } as BGPPeerResource;
  if (spec) out.spec = spec;
  else delete out.spec;
  return out;
}

/** v1beta2 → v1beta1. What v1beta1 cannot express is stashed in V1BETA2_SPEC_ANNOTATION. */
export function bgpPeerToV1beta1(peer: BGPPeerResource): BGPPeerV1beta1Resource {
  const metadata = withoutAnnotation(peer.metadata);
  const out = { ...structuredClone(peer), apiVersion: 'metallb.io/v1beta1', metadata } as unknown as BGPPeerV1beta1Resource;
  if (!peer.spec) {
    delete out.spec;
    return out;
  }
  const spec = copyShared(peer.spec as Record<string, unknown>) as BGPPeerV1beta1Spec;
  if (peer.spec.nodeSelectors) spec.nodeSelectors = peer.spec.nodeSelectors.map(toLegacySelector);
  out.spec = spec;
  if (!isDeepStrictEqual(v1beta2SpecFrom(spec), peer.spec)) {
    metadata.annotations = { ...metadata.annotations, [V1BETA2_SPEC_ANNOTATION]: JSON.stringify(peer.spec) };
  }
  return out;
}

function parseStash(text: string): BGPPeerSpec | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as BGPPeerSpec) : undefined;
  } catch {
    return undefined;
  }
}

export interface ConversionError {
  readonly kind: 'not-convertible';
  readonly message: string;
}

export type ConversionResult = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly error: ConversionError };

const notConvertible = (message: string): ConversionResult => ({ ok: false, error: { kind: 'not-convertible', message } });

/**
 * Converts any of our objects to `desiredAPIVersion`: what a conversion webhook does per object.
 * Only BGPPeer has two versions; other kinds convert only to the version they are in.
 */
export function convertResource(object: unknown, desiredAPIVersion: string): ConversionResult {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return notConvertible('the object to convert is not an object');
  const record = object as Record<string, unknown>;
  const apiVersion = record['apiVersion'];
  const kind = record['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return notConvertible('the object has no apiVersion or kind');
  if (!kindFor(apiVersion, kind)) return notConvertible(`${apiVersion} ${kind} is not a kind this webhook converts`);
  if (!kindFor(desiredAPIVersion, kind)) return notConvertible(`${kind} has no version ${desiredAPIVersion}`);
  if (apiVersion === desiredAPIVersion) return { ok: true, value: structuredClone(record) };
  if (kind === 'BGPPeer') {
    const metadata = record['metadata'];
    if (typeof metadata !== 'object' || metadata === null) return notConvertible('the BGPPeer has no metadata');
    const converted =
      desiredAPIVersion === 'metallb.io/v1beta2'
        ? bgpPeerToV1beta2(record as unknown as BGPPeerV1beta1Resource)
        : bgpPeerToV1beta1(record as unknown as BGPPeerResource);
    return { ok: true, value: converted as unknown as Record<string, unknown> };
  }
  return notConvertible(`no conversion from ${apiVersion} to ${desiredAPIVersion} for ${kind}`);
}

export interface ConversionRequest {
  readonly uid: string;
  readonly desiredAPIVersion: string;
  readonly objects: readonly unknown[];
}

export interface ConversionResponse {
  readonly uid: string;
  readonly convertedObjects: readonly Record<string, unknown>[];
  readonly result: { readonly status: 'Success' | 'Failure'; readonly message?: string };
}

/** The `response` of an apiextensions.k8s.io/v1 ConversionReview: all objects or a failure. */
export function convertReview(request: ConversionRequest): ConversionResponse {
  const convertedObjects: Record<string, unknown>[] = [];
  for (const [i, object] of request.objects.entries()) {
    const result = convertResource(object, request.desiredAPIVersion);
    if (!result.ok) return { uid: request.uid, convertedObjects: [], result: { status: 'Failure', message: `objects[${i}]: ${result.error.message}` } };
    convertedObjects.push(result.value);
  }
  return { uid: request.uid, convertedObjects, result: { status: 'Success' } };
}
