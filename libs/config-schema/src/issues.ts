// How every problem is reported: which resource, where in it, what is wrong, and whether it is an
// error or a warning. One shape for YAML, schema, CEL and semantic problems, so that a caller can
// print them, count them or hand them to kubectl alike.

export type PathSegment = string | number;

export interface ResourceRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface SourcePosition {
  readonly file?: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** The resource at fault; absent for problems with the input itself (unparseable YAML). */
  readonly resource?: ResourceRef;
  /** JSON path inside the resource, e.g. `spec.addresses[0]`; empty for the whole resource. */
  readonly path: string;
  readonly message: string;
  /**
   * The problem may go away when another resource arrives (an alias, a BFD profile): an admission
   * webhook may let the object in, as MetalLB's does, since kubectl applies files in any order.
   */
  readonly transient?: boolean;
  /** Where the resource (or the field, when it could be found) is in the YAML it came from. */
  readonly source?: SourcePosition;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.addresses[0]`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Splits a path made by formatPath back into segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const pattern = /([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.matchAll(pattern)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}

export function formatResource(resource: ResourceRef): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name || '(unnamed)'}`;
}

/** One line a person can act on: `IPAddressPool metallb-system/cheap: spec.addresses[0]: …`. */
export function formatIssue(issue: ConfigIssue): string {
  const parts: string[] = [];
  if (issue.severity === 'warning') parts.push('warning');
  if (issue.resource) parts.push(formatResource(issue.resource));
  if (issue.path) parts.push(issue.path);
  parts.push(issue.message);
  let line = parts.join(': ');
  if (issue.source) line += ` (${issue.source.file ? `${issue.source.file}:` : ''}${issue.source.line}:${issue.source.column})`;
  return line;
}

export const isError = (issue: ConfigIssue): boolean => issue.severity === 'error';
