// The API server's semantics, independent of HTTP: create/get/list/update/patch/delete with
// resourceVersions, optimistic concurrency, finalizers, status subresources, schema validation of
// custom resources, namespaces that terminate, and CRDs that start and stop being served.
import { type CompiledSelector, type Labels } from '@lb/labels';
import { defaultAndPrune, fieldPath, statusCause, validateValue } from '@lb/structural-schema';
import { MAX_NESTING_DEPTH_KUBE_SIM } from './body-scan.js';
import { BUILTIN_FIELDS } from './builtin-fields.js';
import {
  defaultNamespace,
  defaultSecret,
  defaultService,
  initialStatus,
  ServiceAllocator,
  serviceNodePorts,
  validateCrd,
  validateService,
} from './builtins.js';
import { fieldValue, generatedName, isObject, jsonCopy, type Meta, metadataErrors, newUid, nowTimestamp, type Obj, serialize, setOwn } from './objects.js';
import { type FieldValidation } from './query-options.js';
import { nestingDepth } from './request-body.js';
import { decodeTyped } from './typed-fields.js';
import { jsonPatch } from './json-patch.js';
import { mergePatch, strategicMergePatch } from './patch.js';
import { Registry, type Resolved, resolvedFor } from './registry.js';
import { apiVersionOf, resourceFromCrd, type CrdSpec, type ResourceType } from './resources.js';
import { type FieldRequirement, matchesFields } from './field-selectors.js';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  methodNotAllowed,
  notFound,
  requestEntityTooLarge,
  STALE_OBJECT,
  type Status,
  success,
  tooLargeResourceVersion,
  unsupportedMediaType,
} from './status.js';
import { Store, type StoredObject } from './store.js';

/** What a request addresses: a resolved type and version, and optionally a namespace, name and subresource. */
export interface Target {
  readonly resolved: Resolved;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a validating webhook is asked about. */
export interface AdmissionAttributes {
  readonly operation: Operation;
  readonly target: Target;
  readonly name: string;
  readonly object: Obj | undefined;
  readonly oldObject: Obj | undefined;
  readonly dryRun: boolean;
  readonly namespaceLabels: Labels | undefined;
}

/** Admission control: resolves to allow, throws an ApiError to deny. */
export type Admit = (attributes: AdmissionAttributes) => Promise<void>;

export interface WriteOptions {
  readonly dryRun?: boolean;
  /** What unknown and duplicate fields cost: an error (Strict), a warning (Warn, the default) or nothing. */
  readonly fieldValidation?: FieldValidation;
  /** Paths of keys the request body gave twice (the HTTP adapter finds them). */
  readonly duplicates?: readonly string[];
  /** Admission to run before committing; programmatic writes from tests skip it. */
  readonly admit?: Admit;
}

export interface WriteResult {
  readonly object: Obj;
  readonly warnings: readonly string[];
  readonly code: number;
}

export interface DeleteResult {
  readonly body: Obj | Status;
  readonly code: number;
}

export interface ListQuery {
  readonly labelSelector?: CompiledSelector;
  readonly fieldSelector?: readonly FieldRequirement[];
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface ListResult {
  readonly items: StoredObject[];
  readonly resourceVersion: number;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface ApiOptions {
  readonly historyWindow: number;
  /** Fills the store with what a previous run stored (--data-dir), before anything is served. */
  readonly load?: (store: Store) => void;
}

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

function qualified(t: ResourceType): { group: string; resource: string } {
  return { group: t.group, resource: t.plural };
}

function storedKey(type: ResourceType, namespace: string, name: string): string {
  return type.namespaced ? `${namespace}/${name}` : name;
}

function encodeContinue(resourceVersion: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, start: lastKey })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString()) as { v?: string; rv?: number; start?: string };
    if (v.v !== 'meta.k8s.io/v1' || typeof v.rv !== 'number' || typeof v.start !== 'string') return undefined;
    return { rv: v.rv, start: v.start };
  } catch {
    return undefined;
  }
}

/** Fields a body had that its kind does not (dropped), and keys it gave twice. */
interface FieldIssues {
  readonly unknown: string[];
  readonly duplicates: readonly string[];
}

/** How long a read from a resourceVersion not reached yet waits for it (the watch cache's blockTimeout). */
export const FUTURE_RESOURCE_VERSION_WAIT_MS = 3000;

/** Content other than metadata and status, which is what a generation counts. */
function specPart(obj: Obj): string {
  const { metadata: _m, status: _s, resourceVersion: _r, ...rest } = obj;
  return JSON.stringify(rest);
}

/** How many generated names a create tries before giving up (kube-apiserver's RetryGenerateName). */
const GENERATE_NAME_TRIES = 8;

export class KubeApi {
  readonly store: Store;
  readonly registry = new Registry();
  private readonly allocator = new ServiceAllocator();
  private readonly terminating = new Set<string>();

  constructor(options: ApiOptions) {
    this.store = new Store({ historyWindow: options.historyWindow });
    options.load?.(this.store);
    if (this.store.count() > 0) this.restoreDerivedState();
    else {
      for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        const t = this.targetFor('v1', 'Namespace', '', name);
        if (t) this.commitNew(t, this.prepareCreate(t, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {}).object);
      }
    }
  }

  /**
   * What a restart rebuilds from the stored objects: the kinds CRDs serve, the Service cluster IPs
   * and node ports in use, the namespaces being terminated.
   */
  private restoreDerivedState(): void {
    for (const stored of this.store.list('customresourcedefinitions.apiextensions.k8s.io')) {
      const crd = JSON.parse(stored.json) as Obj;
      if (!crd.metadata?.deletionTimestamp) this.registry.register(resourceFromCrd(stored.name, crd['spec'] as CrdSpec));
    }
    for (const stored of this.store.list('services')) {
      const spec = (JSON.parse(stored.json) as Obj)['spec'];
      if (!isObject(spec)) continue;
      const ips = Array.isArray(spec['clusterIPs']) ? (spec['clusterIPs'] as unknown[]) : [spec['clusterIP']];
      for (const ip of ips) if (typeof ip === 'string' && ip !== 'None' && ip !== '') this.allocator.reserveIP(ip);
      for (const port of serviceNodePorts({ spec })) this.allocator.reservePort(port);
    }
    for (const stored of this.store.list('namespaces')) {
      if ((JSON.parse(stored.json) as Obj).metadata?.deletionTimestamp) this.terminating.add(stored.name);
    }
  }

  /** A target for an object's apiVersion/kind; undefined when that kind is not served. */
  targetFor(apiVersion: string, kind: string, namespace: string, name: string, subresource = ''): Target | undefined {
    const resolved = this.registry.resolveKind(apiVersion, kind);
    return resolved ? { resolved, namespace: resolved.type.namespaced ? namespace : '', name, subresource } : undefined;
  }

  /** Parses a stored object into the version a request asked for. */
  decode(stored: StoredObject, target: Target): Obj {
    const shared = target.resolved.type.sharedStorage;
    if (shared) return shared.fromStorage(JSON.parse(stored.json) as Obj) as Obj;
    const obj = JSON.parse(stored.json) as Obj;
    const apiVersion = apiVersionOf(target.resolved.type.group, target.resolved.version.name);
    if (obj['apiVersion'] !== apiVersion) obj['apiVersion'] = apiVersion;
    return obj;
  }

  /** The stored JSON in the version a request asked for, without a parse when they match. */
  encodeFor(stored: StoredObject, target: Target): string {
    const type = target.resolved.type;
    if (target.resolved.version.name === type.storageVersion && !type.sharedStorage) return stored.json;
    return serialize(this.decode(stored, target));
  }

  get(t: Target): Obj {
    return this.decode(this.require(t), t);
  }

  private require(t: Target): StoredObject {
    const stored = this.store.get(t.resolved.storeKey, storedKey(t.resolved.type, t.namespace, t.name));
    if (!stored) throw notFound(qualified(t.resolved.type), t.name);
    return stored;
  }

  matches(stored: StoredObject, t: Target, q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): boolean {
    if (t.namespace && stored.namespace !== t.namespace) return false;
    if (q.labelSelector && !q.labelSelector.matches(stored.labels)) return false;
    if (q.fieldSelector) {
      const aliases = t.resolved.type.sharedStorage?.fieldAliases;
      const fieldOf = (f: string): string =>
        f === 'metadata.name' ? stored.name : f === 'metadata.namespace' ? stored.namespace : (stored.fields?.[aliases?.[f] ?? f] ?? '');
      if (!matchesFields(q.fieldSelector, fieldOf)) return false;
    }
    return true;
  }

  list(t: Target, q: ListQuery): ListResult {
    const current = this.store.resourceVersion;
    let listRv = current;
    let after: string | undefined;
    if (q.continue) {
      const token = decodeContinue(q.continue);
      if (!token) throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      if (token.rv < this.store.compactedResourceVersion) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      listRv = token.rv;
      after = token.start;
    } else if (q.resourceVersion && q.resourceVersion !== '0') {
      const rv = Number(q.resourceVersion);
      if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version: ${q.resourceVersion}`);
      if (rv > current) throw tooLargeResourceVersion(rv, current);
      // Only the newest state is kept, so an exact read of an older version is as gone as compacted history.
      if (q.resourceVersionMatch === 'Exact' && rv !== current) throw gone(`too old resource version: ${rv} (${current})`);
    }
    const prefix = t.resolved.type.namespaced && t.namespace ? `${t.namespace}/` : '';
    const items: StoredObject[] = [];
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    let more = false;
    for (const stored of this.store.list(t.resolved.storeKey, prefix, after)) {
      if (!this.matches(stored, t, q)) continue;
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(stored);
    }
    if (more) {
      const last = items[items.length - 1] as StoredObject;
      return { items, resourceVersion: listRv, continue: encodeContinue(listRv, last.key) };
    }
    return { items, resourceVersion: listRv };
  }

  /**
   * Resolves once the store has reached the resourceVersion a list asks for (at most 3 s, then 504
   * Too large resource version, as the watch cache answers).
   */
  async waitForResourceVersion(q: Pick<ListQuery, 'resourceVersion' | 'continue'>): Promise<void> {
    const rv = Number(q.resourceVersion);
    if (q.continue || !Number.isInteger(rv) || rv <= this.store.resourceVersion) return;
    if (!(await this.store.reached(rv, FUTURE_RESOURCE_VERSION_WAIT_MS))) throw tooLargeResourceVersion(rv, this.store.resourceVersion);
  }

  /** Checks a request body is an object of the kind and version the URL names. */
  private checkBody(t: Target, body: unknown): Obj {
    if (!isObject(body)) throw badRequest('the body of the request was not a JSON object');
    const type = t.resolved.type;
    const apiVersion = apiVersionOf(type.group, t.resolved.version.name);
    // An absent kind or apiVersion is the URL's, as the API server's decoder defaults them.
    if (body['kind'] !== undefined && (typeof body['kind'] !== 'string' || body['kind'] === '')) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersion) {
      throw badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${apiVersion})`);
    }
    if (body['kind'] !== undefined && body['kind'] !== type.kind) throw badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${type.kind})`);
    // A copy: decoding drops unknown fields, and the caller's object stays as it was.
    const obj = jsonCopy(body) as Obj;
    obj['apiVersion'] = apiVersion;
    obj['kind'] = type.kind;
    if (obj.metadata !== undefined && !isObject(obj.metadata)) throw badRequest('metadata must be an object');
    const ns = (obj.metadata as Meta | undefined)?.namespace;
    if (ns !== undefined && typeof ns !== 'string') throw badRequest('metadata.namespace must be a string');
    obj.metadata = { ...(obj.metadata ?? {}) };
    const meta = obj.metadata;
    if (type.namespaced) {
      if (meta.namespace && t.namespace && meta.namespace !== t.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const namespace = t.namespace || meta.namespace;
      if (!namespace) throw badRequest('an empty namespace may not be set during creation');
      meta.namespace = namespace;
    } else delete meta.namespace;
    return obj;
  }

  /**
   * Decodes a body into its kind's fields, as the API server's decoder does: a value of the wrong
   * type is a 400, unknown fields are dropped (and returned with the duplicate keys, for
   * fieldValidation to judge). Custom resources: their metadata here, the rest against the CRD
   * schema in admitShape.
   */
  private decodeFields(t: Target, obj: Obj, o: WriteOptions): FieldIssues {
    const type = t.resolved.type;
    const cannotDecode = (why: string): ApiError => badRequest(`${type.kind} in version "${t.resolved.version.name}" cannot be handled as a ${type.kind}: ${why}`);
    // A patch can nest a value below a path as deep as itself: the result is checked as a body is.
    if (nestingDepth(obj) > MAX_NESTING_DEPTH_KUBE_SIM) throw cannotDecode(`exceeded max depth of ${MAX_NESTING_DEPTH_KUBE_SIM}`);
    const model = Object.hasOwn(BUILTIN_FIELDS.roots, t.resolved.key) ? BUILTIN_FIELDS.roots[t.resolved.key] : undefined;
    const issues = model ? decodeTyped(BUILTIN_FIELDS, model, obj) : decodeTyped(BUILTIN_FIELDS, 'V1ObjectMeta', obj.metadata, 'metadata');
    if (issues.typeError) throw cannotDecode(issues.typeError);
    return { unknown: issues.unknown, duplicates: o.duplicates ?? [] };
  }

  /** Unknown and duplicate fields: a 400 with fieldValidation=Strict, warnings with Warn, nothing with Ignore. */
  private settleFieldIssues(t: Target, issues: FieldIssues, mode: FieldValidation): string[] {
    if (mode === 'Ignore') return [];
    const messages = [...issues.unknown.map((p) => `unknown field "${p}"`), ...issues.duplicates.map((p) => `duplicate field "${p}"`)];
    if (messages.length > 0 && mode === 'Strict') {
      const kind = t.resolved.type.kind;
      throw badRequest(`${kind} in version "${t.resolved.version.name}" cannot be handled as a ${kind}: strict decoding error: ${messages.join(', ')}`);
    }
    return messages;
  }

  /** Defaults, schema pruning/defaulting and validation shared by every write; returns warnings. */
  private admitShape(t: Target, obj: Obj, old: Obj | undefined, issues: FieldIssues, fieldValidation: FieldValidation = 'Warn'): string[] {
    const type = t.resolved.type;
    const schema = t.resolved.version.schema;
    if (schema) {
      const { value, pruned } = defaultAndPrune(obj, schema);
      issues.unknown.push(...pruned.map(fieldPath));
      for (const k of Object.keys(obj)) delete obj[k];
      for (const k of Object.keys(value as Obj)) setOwn(obj, k, (value as Obj)[k]);
    }
    const warnings = this.settleFieldIssues(t, issues, fieldValidation);
    const meta = obj.metadata as Meta;
    const causes = metadataErrors(meta, type.nameRule);
    if (schema) {
      // Without the extra `<nil>` cause kube-apiserver adds when schema errors keep CEL rules from
      // running, so that one schema error still reads as one line in kubectl (README).
      const options = old === undefined ? { reportSkippedRules: false } : { reportSkippedRules: false, oldValue: old };
      causes.push(...validateValue(obj, schema, options).map(statusCause));
    }
    switch (t.resolved.key) {
      case 'services':
        causes.push(...validateService(obj));
        break;
      case 'customresourcedefinitions.apiextensions.k8s.io':
        causes.push(...validateCrd(obj));
        break;
    }
    if (causes.length > 0) throw invalid(type.kind, type.group, meta.name ?? '', causes);
    return warnings;
  }

  private applyDefaults(t: Target, obj: Obj, old: Obj | undefined): void {
    switch (t.resolved.key) {
      case 'services':
        defaultService(obj, old, this.allocator);
        break;
      case 'namespaces':
        defaultNamespace(obj);
        break;
      case 'secrets':
        defaultSecret(obj);
        break;
    }
  }

  /** Everything a create does before admission and commit. */
  private prepareCreate(t: Target, body: unknown, o: WriteOptions): { object: Obj; warnings: string[] } {
    if (t.subresource) throw methodNotAllowed(`create on ${t.subresource}`);
    const obj = this.checkBody(t, body);
    const issues = this.decodeFields(t, obj, o);
    const meta = obj.metadata as Meta;
    const type = t.resolved.type;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = this.freeGeneratedName(t, meta.generateName);
    if (t.name && meta.name && t.name !== meta.name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${t.name})`);
    }
    meta.uid = newUid();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    const statusFresh = t.resolved.version.statusSubresource && t.resolved.key !== 'nodes';
    if (statusFresh) {
      const status = initialStatus(t.resolved.key, obj);
      if (status === undefined) delete obj['status'];
      else obj['status'] = status;
    }
    this.applyDefaults(t, obj, undefined);
    const warnings = this.admitShape(t, obj, undefined, issues, o.fieldValidation);
    return { object: obj, warnings };
  }

  /**
   * A generated name no object has yet: like kube-apiserver (RetryGenerateName, on by default since
   * 1.32), up to 8 tries before the create fails with AlreadyExists. Five random characters collide
   * often enough (one create in about 1,400 among 10,000 objects) to fail writers that do not retry.
   */
  private freeGeneratedName(t: Target, prefix: string): string {
    let name = generatedName(prefix);
    for (let tries = 1; tries < GENERATE_NAME_TRIES && this.store.get(t.resolved.storeKey, storedKey(t.resolved.type, t.namespace, name)); tries++) name = generatedName(prefix);
    return name;
  }

  private checkNamespace(t: Target): Labels | undefined {
    if (!t.resolved.type.namespaced) return undefined;
    const ns = this.store.get('namespaces', t.namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, t.namespace);
    return ns.labels;
  }

  async create(t: Target, body: unknown, o: WriteOptions = {}): Promise<WriteResult> {
    const { object, warnings } = this.prepareCreate(t, body, o);
    const name = object.metadata?.name as string;
    const key = storedKey(t.resolved.type, t.namespace, name);
    const qr = qualified(t.resolved.type);
    const nsLabels = this.checkNamespace(t);
    if (this.store.get(t.resolved.storeKey, key)) throw alreadyExists(qr, name);
    if (o.admit) {
      await o.admit({ operation: 'CREATE', target: t, name, object, oldObject: undefined, dryRun: o.dryRun ?? false, namespaceLabels: nsLabels });
      // Admission awaited: re-check what another request may have changed meanwhile.
      this.checkNamespace(t);
      if (this.store.get(t.resolved.storeKey, key)) throw alreadyExists(qr, name);
    }
    if (t.resolved.type.namespaced && this.terminating.has(t.namespace)) {
      throw forbidden(qr, name, `unable to create new content in namespace ${t.namespace} because it is being terminated`);
    }
    if (o.dryRun) return { object, warnings, code: 201 };
    this.commitNew(t, object);
    return { object: this.outputVersion(object, t), warnings, code: 201 };
  }

  private outputVersion(obj: Obj, t: Target): Obj {
    const apiVersion = apiVersionOf(t.resolved.type.group, t.resolved.version.name);
    return obj['apiVersion'] === apiVersion ? obj : { ...obj, apiVersion };
  }

  private toStorage(obj: Obj, t: Target): Obj {
    const type = t.resolved.type;
    if (type.sharedStorage) return type.sharedStorage.toStorage(obj) as Obj;
    const apiVersion = apiVersionOf(type.group, type.storageVersion);
    return obj['apiVersion'] === apiVersion ? obj : { ...obj, apiVersion };
  }

  private stored(t: Target, obj: Obj, rv: number): StoredObject {
    const type = t.resolved.type;
    const meta = obj.metadata as Meta;
    meta.resourceVersion = String(rv);
    const storageForm = this.toStorage(obj, t);
    const json = serialize(storageForm);
    // Field values come from the stored form, under the stored type's selector names.
    const storageType = type.sharedStorage ? (this.registry.get(type.sharedStorage.key) ?? type) : type;
    let fields: Record<string, string> | undefined;
    if (storageType.extraFieldSelectors.length > 0) {
      fields = {};
      for (const f of storageType.extraFieldSelectors) fields[f] = fieldValue(storageForm, f);
    }
    return {
      key: storedKey(type, meta.namespace ?? '', meta.name as string),
      namespace: type.namespaced ? (meta.namespace ?? '') : '',
      name: meta.name as string,
      uid: meta.uid as string,
      resourceVersion: rv,
      json,
      labels: meta.labels,
      fields,
    };
  }

  private commitNew(t: Target, obj: Obj): void {
    const stored = this.stored(t, obj, this.store.nextResourceVersion());
    this.store.put(t.resolved.storeKey, stored);
    this.afterWrite(t, obj);
  }

  /** Side effects of a committed write: a CRD starts (or changes) being served. */
  private afterWrite(t: Target, obj: Obj): void {
    if (t.resolved.key === 'customresourcedefinitions.apiextensions.k8s.io' && !obj.metadata?.deletionTimestamp) {
      this.registry.register(resourceFromCrd(obj.metadata?.name as string, obj['spec'] as CrdSpec));
    }
  }

  async update(t: Target, body: unknown, o: WriteOptions = {}): Promise<WriteResult> {
    const obj = this.checkBody(t, body);
    const issues = this.decodeFields(t, obj, o);
    const meta = obj.metadata as Meta;
    if (meta.name && meta.name !== t.name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${t.name})`);
    meta.name = t.name;
    const old = this.require(t);
    return this.replace(t, obj, old, o, issues);
  }

  async patch(t: Target, contentType: string, patch: unknown, o: WriteOptions = {}): Promise<WriteResult> {
    const old = this.require(t);
    const current = this.decode(old, t);
    const type = t.resolved.type;
    let result: unknown;
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    if (mediaType === PATCH_TYPES.merge) {
      result = mergePatch(current, patch);
    } else if (mediaType === PATCH_TYPES.json) {
      const r = jsonPatch(current, patch);
      if (!r.ok && r.tooLarge) throw requestEntityTooLarge(r.error);
      if (!r.ok) throw invalidPatch(type, t.name, r.error);
      result = r.value;
    } else if (mediaType === PATCH_TYPES.strategic) {
      if (!type.strategic || type.crdName) {
        throw unsupportedMediaType(mediaType, [PATCH_TYPES.json, PATCH_TYPES.merge]);
      }
      const r = strategicMergePatch(current, patch, type.strategic);
      if (!r.ok) throw invalidPatch(type, t.name, r.error);
      result = r.value;
    } else {
      throw unsupportedMediaType(contentType);
    }
    if (!isObject(result)) throw invalidPatch(type, t.name, 'the patch did not produce an object');
    const obj = this.checkBody(t, { ...result, apiVersion: current['apiVersion'], kind: result['kind'] ?? type.kind });
    const issues = this.decodeFields(t, obj, o);
    (obj.metadata as Meta).name = t.name;
    return this.replace(t, obj, old, o, issues);
  }

  /** The common path of update and patch: preconditions, merge rules, validation, admission, commit. */
  private async replace(t: Target, incoming: Obj, old: StoredObject, o: WriteOptions, issues: FieldIssues): Promise<WriteResult> {
    const type = t.resolved.type;
    const qr = qualified(type);
    const meta = incoming.metadata as Meta;
    if (meta.resourceVersion && meta.resourceVersion !== String(old.resourceVersion)) throw conflict(qr, t.name, STALE_OBJECT);
    const oldObj = this.decode(old, t);
    const oldMeta = oldObj.metadata as Meta;
    let obj: Obj;
    if (t.subresource === 'status') {
      obj = { ...oldObj, metadata: { ...oldMeta } };
      if (incoming['status'] === undefined) delete obj['status'];
      else obj['status'] = incoming['status'];
    } else if (t.subresource) {
      throw methodNotAllowed(`update on ${t.subresource}`);
    } else {
      obj = incoming;
      if (t.resolved.version.statusSubresource) {
        if (oldObj['status'] === undefined) delete obj['status'];
        else obj['status'] = oldObj['status'];
      }
      const m = obj.metadata as Meta;
      m.uid = oldMeta.uid as string;
      m.creationTimestamp = oldMeta.creationTimestamp as string;
      if (type.namespaced) m.namespace = oldMeta.namespace as string;
      if (oldMeta.deletionTimestamp) {
        m.deletionTimestamp = oldMeta.deletionTimestamp;
        if (oldMeta.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      delete m.generateName;
      if (oldMeta.generateName) m.generateName = oldMeta.generateName;
      if (type.hasGeneration) m.generation = oldMeta.generation ?? 1;
      else delete m.generation;
      this.applyDefaults(t, obj, oldObj);
      if (t.resolved.key === 'customresourcedefinitions.apiextensions.k8s.io') obj['status'] = crdStatusAfterUpdate(obj, oldObj);
    }
    const warnings = this.admitShape(t, obj, oldObj, issues, o.fieldValidation);
    const m = obj.metadata as Meta;
    if (type.hasGeneration && specPart(obj) !== specPart(oldObj)) m.generation = (oldMeta.generation ?? 1) + 1;
    m.resourceVersion = String(old.resourceVersion);
    // An update that changes nothing is not a write: no new resourceVersion, no watch event.
    if (serialize(this.toStorage(obj, t)) === old.json) return { object: this.outputVersion(obj, t), warnings, code: 200 };
    if (o.admit) {
      const nsLabels = type.namespaced ? this.store.get('namespaces', t.namespace)?.labels : undefined;
      await o.admit({ operation: 'UPDATE', target: t, name: t.name, object: obj, oldObject: oldObj, dryRun: o.dryRun ?? false, namespaceLabels: nsLabels });
      const now = this.store.get(t.resolved.storeKey, old.key);
      if (!now) throw notFound(qr, t.name);
      if (now.resourceVersion !== old.resourceVersion) throw conflict(qr, t.name, STALE_OBJECT);
    }
    if (o.dryRun) return { object: this.outputVersion(obj, t), warnings, code: 200 };
    const rv = this.store.nextResourceVersion();
    const stored = this.stored(t, obj, rv);
    if (m.deletionTimestamp && (m.finalizers ?? []).length === 0) {
      this.removeNow(t, stored, obj);
    } else {
      this.store.put(t.resolved.storeKey, stored);
      this.afterWrite(t, obj);
    }
    return { object: this.outputVersion(obj, t), warnings, code: 200 };
  }

  async delete(
    t: Target,
    options: { preconditions?: { uid?: string; resourceVersion?: string } } = {},
    o: WriteOptions = {},
  ): Promise<DeleteResult> {
    if (t.subresource) throw methodNotAllowed(`delete on ${t.subresource}`);
    const type = t.resolved.type;
    const qr = qualified(type);
    const old = this.require(t);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.uid) {
      throw conflict(qr, t.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(old.resourceVersion)) {
      throw conflict(qr, t.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.resourceVersion}`);
    }
    const oldObj = this.decode(old, t);
    if (o.admit) {
      const nsLabels = type.namespaced ? this.store.get('namespaces', t.namespace)?.labels : undefined;
      await o.admit({ operation: 'DELETE', target: t, name: t.name, object: undefined, oldObject: oldObj, dryRun: o.dryRun ?? false, namespaceLabels: nsLabels });
    }
    const current = this.store.get(t.resolved.storeKey, old.key);
    if (!current) throw notFound(qr, t.name);
    if (o.dryRun) return { body: oldObj, code: 200 };
    return this.deleteStored(t, current);
  }

  /** Deletes what is stored now: marks it when finalizers remain, else removes it. */
  private deleteStored(t: Target, current: StoredObject): DeleteResult {
    const type = t.resolved.type;
    const obj = this.decode(current, t);
    const meta = obj.metadata as Meta;
    const isNamespace = t.resolved.key === 'namespaces';
    const finalizers = meta.finalizers ?? [];
    if (meta.deletionTimestamp) return { body: obj, code: 202 };
    if (finalizers.length > 0 || isNamespace) {
      meta.deletionTimestamp = nowTimestamp();
      meta.deletionGracePeriodSeconds = 0;
      if (type.hasGeneration) meta.generation = (meta.generation ?? 1) + 1;
      if (isNamespace) obj['status'] = { ...(isObject(obj['status']) ? obj['status'] : {}), phase: 'Terminating' };
      const stored = this.stored(t, obj, this.store.nextResourceVersion());
      this.store.put(t.resolved.storeKey, stored);
      if (isNamespace) {
        this.terminating.add(meta.name as string);
        this.emptyNamespace(meta.name as string);
        const after = this.store.get('namespaces', meta.name as string);
        if (!after) return { body: this.decode(stored, t), code: 200 };
        return { body: this.decode(after, t), code: 202 };
      }
      return { body: obj, code: 202 };
    }
    const final = this.stored(t, obj, this.store.nextResourceVersion());
    this.removeNow(t, final, obj);
    return { body: type.crdName ? obj : success(qualified(type), meta.name as string, meta.uid as string), code: 200 };
  }

  private removeNow(t: Target, final: StoredObject, obj: Obj): void {
    this.store.remove(t.resolved.storeKey, final);
    if (t.resolved.key === 'services') for (const p of serviceNodePorts(obj)) this.allocator.releasePort(p);
    if (t.resolved.key === 'customresourcedefinitions.apiextensions.k8s.io') this.dropCustomResources(obj);
    if (t.resolved.key === 'namespaces') this.terminating.delete(final.name);
    else if (final.namespace && this.terminating.has(final.namespace)) this.finishNamespace(final.namespace);
  }

  /** A deleted CRD takes its objects with it (each one a DELETED event) and stops being served. */
  private dropCustomResources(crd: Obj): void {
    const spec = crd['spec'] as CrdSpec | undefined;
    if (!spec?.names?.plural) return;
    const key = `${spec.names.plural}.${spec.group}`;
    const type = this.registry.get(key);
    if (type) {
      const resolved = resolvedFor(type);
      if (resolved) {
        const target: Target = { resolved, namespace: '', name: '', subresource: '' };
        for (const stored of [...this.store.list(key)]) {
          const obj = this.decode(stored, target);
          this.store.remove(key, this.stored(target, obj, this.store.nextResourceVersion()));
        }
      }
    }
    this.store.dropResource(key);
    this.registry.unregister(key);
  }

  /** The namespace controller's job: delete everything in a terminating namespace. */
  private emptyNamespace(namespace: string): void {
    for (const type of this.registry.all()) {
      const resolved = type.namespaced && !type.sharedStorage ? resolvedFor(type) : undefined;
      if (!resolved) continue;
      const target: Target = { resolved, namespace, name: '', subresource: '' };
      for (const stored of [...this.store.list(resolved.storeKey, `${namespace}/`)]) this.deleteStored({ ...target, name: stored.name }, stored);
    }
    this.finishNamespace(namespace);
  }

  private finishNamespace(namespace: string): void {
    for (const type of this.registry.all()) {
      const resolved = type.namespaced ? resolvedFor(type) : undefined;
      if (resolved && !this.store.list(resolved.storeKey, `${namespace}/`).next().done) return;
    }
    const ns = this.store.get('namespaces', namespace);
    const t = this.targetFor('v1', 'Namespace', '', namespace);
    if (!ns || !t) return;
    const obj = this.decode(ns, t);
    if (isObject(obj['spec'])) obj['spec']['finalizers'] = [];
    const meta = obj.metadata as Meta;
    if ((meta.finalizers ?? []).length > 0) {
      this.store.put('namespaces', this.stored(t, obj, this.store.nextResourceVersion()));
      return;
    }
    this.removeNow(t, this.stored(t, obj, this.store.nextResourceVersion()), obj);
  }

  async deleteCollection(t: Target, q: ListQuery, o: WriteOptions = {}): Promise<Obj> {
    const items: Obj[] = [];
    for (const stored of this.list(t, { ...q, limit: 0 }).items) {
      const target = { ...t, namespace: stored.namespace, name: stored.name };
      try {
        const r = await this.delete(target, {}, o);
        items.push(isObject(r.body) && r.body['kind'] !== 'Status' ? (r.body as Obj) : this.decode(stored, target));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    const type = t.resolved.type;
    return { apiVersion: apiVersionOf(type.group, t.resolved.version.name), kind: type.listKind, metadata: { resourceVersion: String(this.store.resourceVersion) }, items };
  }
}

/**
 * What the CRD controllers leave in status after a spec change: accepted names follow the spec,
 * conditions (and their transition times) stay, stored versions accumulate.
 */
function crdStatusAfterUpdate(obj: Obj, oldObj: Obj): unknown {
  const fresh = initialStatus('customresourcedefinitions.apiextensions.k8s.io', obj) as Record<string, unknown>;
  const old = isObject(oldObj['status']) ? oldObj['status'] : {};
  const stored = [...new Set([...((old['storedVersions'] as string[] | undefined) ?? []), ...((fresh['storedVersions'] as string[] | undefined) ?? [])])];
  return { ...fresh, conditions: old['conditions'] ?? fresh['conditions'], storedVersions: stored };
}

function invalidPatch(type: ResourceType, name: string, why: string): ApiError {
  return invalid(type.kind, type.group, name, [{ reason: 'FieldValueInvalid', field: 'patch', message: `Invalid value: "patch": ${why}` }]);
}
