// One object checked the way the API server would check it against our CRDs: envelope, metadata,
// structural schema with defaults, CEL rules (@lb/structural-schema). Semantic rules across objects
// live in compile().
import { labelKeyProblems, labelValueProblems } from '@lb/labels';
import { describeViolation, processCustomResource, type StructuralSchema } from '@lb/structural-schema';
import { type ConfigIssue, type PathSegment, type ResourceRef, formatPath } from './issues.js';
import { kindFor, type KindDefinition, type VersionDefinition } from './kinds.js';
import { type KnownResource } from './resources.js';

export interface ValidateOptions {
  /** The object before an update: transition rules (immutable fields) compare against it. */
  readonly oldObject?: unknown;
  /** Unknown fields: `error` as kubectl's strict validation does (the default), or `warning`. */
  readonly unknownFields?: 'error' | 'warning';
}

export type ValidationResult =
  | {
      /** One of our kinds, well formed: `resource` has defaults applied and unknown fields removed. */
      readonly status: 'valid';
      readonly resource: KnownResource;
      readonly kind: KindDefinition;
      readonly version: VersionDefinition;
      readonly issues: readonly ConfigIssue[];
    }
  | {
      readonly status: 'invalid';
      readonly ref: ResourceRef | undefined;
      readonly issues: readonly ConfigIssue[];
    }
  | {
      /** Not one of our kinds (a Deployment, a Service): nothing was checked. */
      readonly status: 'foreign';
      readonly apiVersion: string;
      readonly kind: string;
    };

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The kind, namespace and name an object claims, as far as they can be read. */
export function refOf(object: unknown): ResourceRef | undefined {
  if (!isObject(object)) return undefined;
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '(no kind)';
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : undefined;
  return namespace === undefined ? { kind, name } : { kind, name, namespace };
}

/** Checks one object; never throws, whatever it is given. */
export function validateResource(object: unknown, options: ValidateOptions = {}): ValidationResult {
  const ref = refOf(object);
  const issues: ConfigIssue[] = [];
  const error = (path: readonly PathSegment[], message: string): void => {
    issues.push(ref ? { severity: 'error', resource: ref, path: formatPath(path), message } : { severity: 'error', path: formatPath(path), message });
  };
  if (!isObject(object)) {
    error([], `a resource must be an object, got ${Array.isArray(object) ? 'a list' : object === null ? 'null' : typeof object}`);
    return { status: 'invalid', ref, issues };
  }
  const apiVersion = object['apiVersion'];
  const kindName = object['kind'];
  if (typeof apiVersion !== 'string' || apiVersion === '') error(['apiVersion'], 'apiVersion is missing');
  if (typeof kindName !== 'string' || kindName === '') error(['kind'], 'kind is missing');
  if (typeof apiVersion !== 'string' || typeof kindName !== 'string' || issues.length > 0) return { status: 'invalid', ref, issues };

  const found = kindFor(apiVersion, kindName);
  if (!found) {
    const sameGroup = apiVersion.startsWith('metallb.io/') || apiVersion.startsWith('network.deckhouse.io/');
    if (!sameGroup) return { status: 'foreign', apiVersion, kind: kindName };
    error(['apiVersion'], `${apiVersion} has no kind ${kindName}${suggestVersion(apiVersion, kindName)}`);
    return { status: 'invalid', ref, issues };
  }
  const { kind, version } = found;
  checkMetadata(object['metadata'], kind, error, issues, ref);
  if (version.deprecationWarning && ref) {
    issues.push({ severity: 'warning', resource: ref, path: 'apiVersion', message: version.deprecationWarning });
  }

  const checked = processCustomResource(object, version.schema as StructuralSchema, options.oldObject === undefined ? {} : { oldValue: options.oldObject });
  // Unknown fields are pruned by the API server; kubectl's strict validation refuses them.
  const unknownSeverity = options.unknownFields === 'warning' ? 'warning' : 'error';
  for (const path of checked.pruned) {
    issues.push({ severity: unknownSeverity, ...(ref ? { resource: ref } : {}), path: formatPath(path), message: 'unknown field (not declared in the schema)' });
  }
  for (const violation of checked.violations) {
    const { path, message } = describeViolation(violation);
    issues.push({ severity: 'error', ...(ref ? { resource: ref } : {}), path: formatPath(path), message });
  }
  if (issues.some((i) => i.severity === 'error')) return { status: 'invalid', ref, issues };
  return { status: 'valid', resource: checked.value as KnownResource, kind, version, issues };
}

function suggestVersion(apiVersion: string, kindName: string): string {
  const group = apiVersion.slice(0, apiVersion.lastIndexOf('/'));
  for (const candidate of ['v1beta1', 'v1beta2', 'v1alpha1']) {
    if (kindFor(`${group}/${candidate}`, kindName)) return ` (did you mean ${group}/${candidate}?)`;
  }
  return '';
}

function checkMetadata(
  metadata: unknown,
  kind: KindDefinition,
  error: (path: readonly PathSegment[], message: string) => void,
  issues: ConfigIssue[],
  ref: ResourceRef | undefined,
): void {
  if (!isObject(metadata)) {
    error(['metadata'], 'metadata with a name is required');
    return;
  }
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') error(['metadata', 'name'], 'name is required');
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    error(['metadata', 'name'], `'${name}' is not a valid name: lower-case letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit`);
  }
  const namespace = metadata['namespace'];
  if (namespace !== undefined && namespace !== '') {
    if (kind.scope === 'Cluster' && ref) {
      issues.push({ severity: 'warning', resource: ref, path: 'metadata.namespace', message: `${kind.kind} is cluster-scoped; the namespace is ignored` });
    } else if (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace)) {
      error(['metadata', 'namespace'], `'${String(namespace)}' is not a valid namespace name`);
    }
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (!isObject(map)) {
      error(['metadata', field], `${field} must be a map of strings`);
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      for (const message of labelKeyProblems(key)) error(['metadata', field], `${field === 'labels' ? 'label' : 'annotation'} key ${message}`);
      if (typeof value !== 'string') error(['metadata', field, key], `value must be a string, got ${typeof value}`);
      else if (field === 'labels') for (const message of labelValueProblems(value)) error(['metadata', field, key], message);
    }
  }
}
