// Errors from talking to the API server. ApiError is an answer (a status code and, usually, a
// Status body); TransportError is the absence of one (refused, reset, timed out, garbled).
import { type Status } from './objects.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status code (the Status's `code` when it has one). */
  readonly code: number;
  /** The Status `reason` (`Conflict`, `NotFound`, `Expired`, …), or '' when the body had none. */
  readonly reason: string;
  readonly status: Status | undefined;
  /** From `Retry-After` or the Status details, for 429 and 5xx answers. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: { method: string; path: string; code: number; status?: Status | undefined; retryAfterSeconds?: number | undefined; body?: string }) {
    const what = init.status?.message ?? (init.body ? init.body.slice(0, 200) : 'no message');
    super(`${init.method} ${init.path}: ${init.code} ${init.status?.reason ?? ''}${init.status?.reason ? ': ' : ''}${what}`);
    this.code = init.code;
    this.reason = init.status?.reason ?? '';
    this.status = init.status;
    this.retryAfterSeconds = init.retryAfterSeconds ?? init.status?.details?.retryAfterSeconds;
  }
}

export class TransportError extends Error {
  override readonly name = 'TransportError';

  constructor(method: string, path: string, detail: string, options?: { cause?: unknown }) {
    super(`${method} ${path}: ${detail}`, options);
  }
}

const hasCode = (error: unknown, code: number): boolean => error instanceof ApiError && error.code === code;

export const isNotFound = (error: unknown): boolean => hasCode(error, 404);
/** 409 because of a stale resourceVersion (not AlreadyExists, which is also 409). */
export const isConflict = (error: unknown): boolean => hasCode(error, 409) && (error as ApiError).reason !== 'AlreadyExists';
export const isAlreadyExists = (error: unknown): boolean => hasCode(error, 409) && (error as ApiError).reason === 'AlreadyExists';
/** 410: the resourceVersion (or continue token) is older than the server's history. */
export const isGone = (error: unknown): boolean => hasCode(error, 410);

/** Errors worth retrying as they are: throttling, server trouble, no answer at all. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  if (!(error instanceof ApiError)) return false;
  return error.code === 429 || error.code >= 500;
}
