// metav1.Status errors with the codes, reasons and message shapes kube-apiserver uses, so that
// clients' error handling (kubectl's messages, client libraries' retry and conflict logic) sees
// exactly what it would see from a real cluster.

/** One entry of `details.causes`: which field was wrong and why. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** The wire form of a metav1.Status. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** A request that failed: thrown inside the API core and turned into a Status response. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
  get code(): number {
    return this.status.code;
  }
}

/** How kube-apiserver names a resource in messages: `services`, `ipaddresspools.metallb.io`. */
export interface QualifiedResource {
  readonly group: string;
  readonly resource: string;
}

export function qualifiedName(r: QualifiedResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new ApiError(status);
}

function resourceDetails(r: QualifiedResource, name: string): Status['details'] {
  return r.group ? { name, group: r.group, kind: r.resource } : { name, kind: r.resource };
}

export function notFound(r: QualifiedResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, resourceDetails(r, name));
}

export function alreadyExists(r: QualifiedResource, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, resourceDetails(r, name));
}

export function conflict(r: QualifiedResource, name: string, why: string): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${why}`, resourceDetails(r, name));
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `Kind.group "name" is invalid: field: message`, every cause listed. */
export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = lines.length === 1 ? (lines[0] as string) : `[${lines.join(', ')}]`;
  const details: Status['details'] = { name, kind, causes: [...causes] };
  if (group) details.group = group;
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, details);
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function forbidden(r: QualifiedResource, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedName(r)} "${name}"` : qualifiedName(r);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, resourceDetails(r, name));
}

export function methodNotAllowed(what: string): ApiError {
  return failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource${what ? `: ${what}` : ''}`);
}

export const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf (v1 Namespace, ConfigMap, Secret, Service, DeleteOptions)'];

export function unsupportedMediaType(contentType: string, accepted: readonly string[] = PATCH_MEDIA_TYPES): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}; got ${contentType}`);
}

export function notAcceptable(message: string): ApiError {
  return failure(406, 'NotAcceptable', message);
}

export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}

export function gone(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message }] });
}

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return failure(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', {
    retryAfterSeconds,
  });
}

export function timeout(message: string): ApiError {
  return failure(504, 'Timeout', message);
}

/** A read or watch from a resourceVersion the server has not reached (the watch cache's answer after waiting 3 s). */
export function tooLargeResourceVersion(requested: number, current: number): ApiError {
  return failure(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function requestEntityTooLarge(message: string): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** A rejection from a validating webhook, shaped as kube-apiserver reports it to the client. */
export function webhookDenied(webhook: string, result: { code?: number; message?: string; reason?: string } | undefined): ApiError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = result?.code !== undefined && result.code >= 400 ? result.code : 400;
  const message = result?.message ? `${deniedBy}: ${result.message}` : result?.reason ? `${deniedBy}: ${result.reason}` : `${deniedBy} without explanation`;
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code };
  if (result?.reason) status.reason = result.reason;
  return new ApiError(status);
}

export function success(r: QualifiedResource, name: string, uid: string): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...resourceDetails(r, name), uid },
    code: 200,
  };
}
