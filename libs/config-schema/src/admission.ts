// The decision an admission webhook makes about one create, update or delete: the object checked
// on its own, then the configuration it would leave behind compiled. Only problems the change
// brings are held against it, so that an old mistake elsewhere does not block every edit; problems
// that another object could still fix (a missing alias, as kubectl applies files in any order)
// become warnings, as MetalLB's webhook lets them through.
import { compile, type CompileOptions } from './compile/compile.js';
import { type ConfigIssue, formatIssue } from './issues.js';
import { kindFor } from './kinds.js';
import { refOf, validateResource } from './validate.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionInput {
  readonly operation: AdmissionOperation;
  /** The object being created or the new version of the one being updated. */
  readonly object?: unknown;
  /** The object being updated or deleted, as it is now. */
  readonly oldObject?: unknown;
  /** Every object of the current configuration (pools, advertisements, peers, ...; nodes if known). */
  readonly existing: readonly unknown[];
  readonly options?: Omit<CompileOptions, 'file'>;
}

export interface AdmissionResult {
  readonly allowed: boolean;
  /** For kubectl when denied: every reason, one per line. */
  readonly message: string;
  readonly errors: readonly ConfigIssue[];
  /** For kubectl's warning headers. */
  readonly warnings: readonly string[];
}

const identity = (object: unknown): string | undefined => {
  if (typeof object !== 'object' || object === null) return undefined;
  const record = object as Record<string, unknown>;
  const ref = refOf(object);
  const apiVersion = typeof record['apiVersion'] === 'string' ? record['apiVersion'] : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : apiVersion;
  return ref && `${group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
};

/** Whether the change may go in, with every reason if not. Never throws. */
export function validateAdmission(input: AdmissionInput): AdmissionResult {
  const target = input.operation === 'DELETE' ? input.oldObject : input.object;
  const targetId = identity(target);
  const others = input.existing.filter((o) => identity(o) !== targetId || targetId === undefined);

  if (input.operation !== 'DELETE') {
    const own = validateResource(input.object, input.operation === 'UPDATE' ? { oldObject: input.oldObject } : {});
    if (own.status === 'foreign') return allow([]);
    const ownErrors = own.issues.filter((i) => i.severity === 'error');
    if (ownErrors.length > 0) return deny(ownErrors, own.issues.filter((i) => i.severity === 'warning'));
  } else if (target !== undefined) {
    const inUse = bfdProfileInUse(target, others);
    if (inUse) return deny([inUse], []);
  }

  const before = compile(input.operation === 'CREATE' ? others : input.existing, input.options ?? {});
  const after = compile(input.operation === 'DELETE' ? others : [...others, input.object], input.options ?? {});
  const known = new Set((before.ok ? [] : before.error.issues).map(key));
  const introduced = (after.ok ? [] : after.error.issues).filter((issue) => !known.has(key(issue)));
  const blocking = introduced.filter((i) => !i.transient);
  const knownWarnings = new Set(before.warnings.map(key));
  const warnings = [...introduced.filter((i) => i.transient), ...after.warnings.filter((w) => !knownWarnings.has(key(w)))];
  return blocking.length > 0 ? deny(blocking, warnings) : allow(warnings);
}

// Positions differ between inputs; the problem itself is what matters.
const key = (issue: ConfigIssue): string => {
  const { source: _source, ...rest } = issue;
  return formatIssue(rest);
};

function allow(warnings: readonly ConfigIssue[]): AdmissionResult {
  return { allowed: true, message: '', errors: [], warnings: warnings.map(formatIssue) };
}

function deny(errors: readonly ConfigIssue[], warnings: readonly ConfigIssue[]): AdmissionResult {
  return { allowed: false, message: errors.map(formatIssue).join('\n'), errors, warnings: warnings.map(formatIssue) };
}

/** MetalLB refuses to delete a BFDProfile a BGPPeer still names. */
function bfdProfileInUse(target: unknown, others: readonly unknown[]): ConfigIssue | undefined {
  const ref = refOf(target);
  const record = target as Record<string, unknown>;
  if (!ref || ref.kind !== 'BFDProfile' || typeof record['apiVersion'] !== 'string' || !kindFor(record['apiVersion'], 'BFDProfile')) return undefined;
  for (const other of others) {
    const peer = other as { kind?: unknown; spec?: { bfdProfile?: unknown } };
    const peerRef = refOf(other);
    if (peer.kind === 'BGPPeer' && peer.spec?.bfdProfile === ref.name && peerRef) {
      return {
        severity: 'error',
        resource: ref,
        path: '',
        message: `cannot delete: BGPPeer ${peerRef.namespace ? `${peerRef.namespace}/` : ''}${peerRef.name} uses this profile`,
      };
    }
  }
  return undefined;
}
