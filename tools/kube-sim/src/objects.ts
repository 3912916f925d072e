// Object-level rules shared by every verb: serialization order, names and labels, the metadata the
// server owns, and the defaults kube-apiserver fills in for the built-in kinds the project uses.
import { randomUUID } from 'node:crypto';
import { type StatusCause } from './status.js';

export type Obj = Record<string, unknown> & { metadata?: Meta };
export type Meta = Record<string, unknown> & {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
};

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Keys in request bodies are data. `obj[key]` would read `constructor` or `__proto__` from
// Object.prototype, and `obj[key] = v` with `__proto__` would replace the object's prototype:
// every read and write with a key that came from a client goes through these two.

/** A field the object itself has; never one inherited from its prototype. */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets a field as plain data, `__proto__` included. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * A deep copy as plain JSON data, as a client would send the value: `toJSON` honoured (Dates become
 * strings), undefined fields and functions left out, class instances reduced to their own fields,
 * every key set as data.
 */
export function jsonCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return jsonCopy((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return value.map((item) => (item === undefined || typeof item === 'function' ? null : jsonCopy(item)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined && typeof field !== 'function') setOwn(out, key, jsonCopy(field));
  }
  return out;
}

/** JSON with apiVersion, kind and metadata first, as the real server writes objects. */
export function serialize(obj: Obj): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata, ...rest });
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return randomUUID();
}

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + five random characters from the alphabet Kubernetes uses (no vowels). */
export function generatedName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return `${prefix.slice(0, 58)}${suffix}`;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function nameErrors(name: string, rule: 'label' | 'subdomain', field = 'metadata.name'): StatusCause[] {
  const show = JSON.stringify(name);
  if (rule === 'label') {
    if (name.length > 63) return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show}: must be no more than 63 characters` }];
    if (!LABEL.test(name)) {
      return [{
        reason: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${show}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      }];
    }
    return [];
  }
  if (name.length > 253) return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show}: must be no more than 253 characters` }];
  if (!SUBDOMAIN.test(name)) {
    return [{
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${show}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    }];
  }
  return [];
}

function qualifiedKeyErrors(key: string, field: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const show = JSON.stringify(key);
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
    return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show}: prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }];
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')` }];
  }
  return [];
}

/** Checks the parts of metadata a client may set: name, labels, annotations, finalizers. */
export function metadataErrors(meta: Meta, rule: 'label' | 'subdomain'): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!meta.name) causes.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else if (typeof meta.name !== 'string') causes.push({ reason: 'FieldValueTypeInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(meta.name)}: must be a string` });
  else causes.push(...nameErrors(meta.name, rule));
  if (meta.labels !== undefined) {
    if (!isObject(meta.labels)) causes.push({ reason: 'FieldValueTypeInvalid', field: 'metadata.labels', message: 'Invalid value: must be a map of strings' });
    else {
      for (const [k, v] of Object.entries(meta.labels)) {
        causes.push(...qualifiedKeyErrors(k, 'metadata.labels'));
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
          causes.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` });
        }
      }
    }
  }
  if (meta.annotations !== undefined) {
    if (!isObject(meta.annotations)) causes.push({ reason: 'FieldValueTypeInvalid', field: 'metadata.annotations', message: 'Invalid value: must be a map of strings' });
    else {
      let size = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        causes.push(...qualifiedKeyErrors(k, 'metadata.annotations'));
        if (typeof v !== 'string') causes.push({ reason: 'FieldValueTypeInvalid', field: `metadata.annotations.${k}`, message: 'Invalid value: must be a string' });
        else size += k.length + v.length;
      }
      if (size > 256 * 1024) causes.push({ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' });
    }
  }
  if (meta.finalizers !== undefined && (!Array.isArray(meta.finalizers) || meta.finalizers.some((f) => typeof f !== 'string'))) {
    causes.push({ reason: 'FieldValueTypeInvalid', field: 'metadata.finalizers', message: 'Invalid value: must be a list of strings' });
  }
  return causes;
}

/** Field values for field selectors: `spec.nodeName` → the object's value, or '' when absent. */
export function fieldValue(obj: unknown, field: string): string {
  let v = obj;
  for (const p of field.split('.')) v = isObject(v) ? v[p] : undefined;
  return v === undefined || v === null ? '' : String(v);
}
