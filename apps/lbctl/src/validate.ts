// `lbctl validate`: everything compile() and the webhook check, every problem at once, each at the
// file:line:col it came from. With the live configuration (`--cluster`), the files are checked as
// `kubectl apply` would leave the cluster: each object replaces the live one of the same kind and
// name, the rest stays.
import { compile, formatIssue, parsePath, refOf, type ConfigIssue, type IgnoredObject, type ResourceRef } from '@lb/config-schema';
import type { KubeObject } from '@lb/k8s-watch';
import { type SourcedDocument } from './inputs.js';
import { oldestFirst } from './snapshot.js';

export interface ValidateInput {
  readonly documents: readonly SourcedDocument[];
  /** Problems reading the inputs (unreadable paths, malformed YAML). */
  readonly readIssues?: readonly ConfigIssue[];
  /** The live configuration objects, for --cluster. */
  readonly live?: readonly KubeObject[];
  readonly nodes?: ReadonlyArray<{ readonly name: string; readonly labels?: Readonly<Record<string, string>> }>;
}

export interface ValidationReport {
  readonly valid: boolean;
  readonly objects: number;
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  readonly ignored: readonly IgnoredObject[];
}

const sameRef = (a: ResourceRef, b: ResourceRef | undefined, loose = false): boolean =>
  !!b && a.kind === b.kind && a.name === b.name && ((a.namespace ?? '') === (b.namespace ?? '') || (loose && (!a.namespace || !b.namespace)));

/** Objects of `live` that none of `files` replaces, then the files' objects. */
export function overlay(live: readonly KubeObject[], files: readonly unknown[]): unknown[] {
  const refs = files.map(refOf).filter((r): r is ResourceRef => r !== undefined);
  const kept = live.filter((o) => {
    const ref = refOf(o);
    return !ref || !refs.some((r) => sameRef(r, ref, true));
  });
  return [...oldestFirst(kept), ...files];
}

export function validateDocuments(input: ValidateInput): ValidationReport {
  const files = input.documents.map((d) => d.object);
  const objects = input.live ? overlay(input.live, files) : files;
  const result = compile(objects, input.nodes ? { nodes: input.nodes.map((n) => ({ name: n.name, labels: n.labels ?? {} })) } : {});
  // The same problem reported n times about an object named in several documents (a duplicate)
  // is placed on the last n of them: compile() blames the later of two colliding objects.
  const identical = new Map<string, number>();
  const totals = new Map<string, number>();
  const keyOf = (issue: ConfigIssue): string => JSON.stringify([issue.resource, issue.path, issue.message]);
  const all = [...(result.ok ? [] : result.error.issues), ...result.warnings];
  for (const issue of all) totals.set(keyOf(issue), (totals.get(keyOf(issue)) ?? 0) + 1);
  const place = (issue: ConfigIssue): ConfigIssue => {
    if (issue.source || !issue.resource) return issue;
    const ref = issue.resource;
    const matches = input.documents.filter((d) => sameRef(ref, refOf(d.object), true));
    if (matches.length === 0) return input.live ? { ...issue, message: `${issue.message} (in the live configuration)` } : issue;
    const key = keyOf(issue);
    const seen = identical.get(key) ?? 0;
    identical.set(key, seen + 1);
    const index = Math.max(0, Math.min(matches.length - 1, matches.length - (totals.get(key) ?? 1) + seen));
    return { ...issue, source: (matches[index] as SourcedDocument).locate(parsePath(issue.path)) };
  };
  const errors = [...(input.readIssues ?? []), ...(result.ok ? [] : result.error.issues).map(place)];
  const warnings = result.warnings.map(place);
  return { valid: errors.length === 0, objects: files.length, errors: sortIssues(errors), warnings: sortIssues(warnings), ignored: result.ignored };
}

function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue): [string, number, number] => [i.source?.file ?? '~', i.source?.line ?? 0, i.source?.column ?? 0];
  return [...issues].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}

/** `file:line:col: error: Kind ns/name: path: message`, the form editors and CI logs link. */
export function formatLocated(issue: ConfigIssue): string {
  const { source, ...rest } = issue;
  const where = source ? `${source.file ?? '<input>'}:${source.line}:${source.column}: ` : '';
  const text = formatIssue(rest).replace(/^warning: /, '');
  return `${where}${issue.severity}: ${text}`;
}

export function renderValidation(report: ValidationReport): string {
  const lines = [...report.errors, ...report.warnings].map(formatLocated);
  for (const i of report.ignored) lines.push(`note: ${i.kind} ${i.name} (${i.apiVersion}) not checked: ${i.reason}`);
  const summary = report.valid
    ? `${report.objects} object(s): valid${report.warnings.length > 0 ? `, ${report.warnings.length} warning(s)` : ''}`
    : `${report.objects} object(s): ${report.errors.length} error(s), ${report.warnings.length} warning(s)`;
  return `${[...lines, summary].join('\n')}\n`;
}
