// Reading `-f` arguments: files, directories (their .yaml/.yml/.json files, recursively, in name
// order) and `-` for stdin, as kubectl reads them. Every object keeps where it came from so that
// a problem can be reported at file:line:col; unreadable paths and malformed YAML are problems too,
// reported all at once with the rest.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml, type ConfigIssue, type PathSegment, type SourcePosition } from '@lb/config-schema';

export interface SourcedDocument {
  readonly object: unknown;
  readonly source: SourcePosition;
  readonly locate: (path: readonly PathSegment[]) => SourcePosition;
}

export interface ReadInputs {
  readonly documents: readonly SourcedDocument[];
  /** Paths that could not be read and YAML that could not be parsed. */
  readonly issues: readonly ConfigIssue[];
}

const MANIFEST = /\.(ya?ml|json)$/i;

/** How the command line passes `-` (stdin) through yargs. */
export const STDIN = '\u0000stdin';

/** Reads every path; `stdin` supplies the text for `-` (read once, whatever the count of `-`). */
export function readInputs(paths: readonly string[], stdin: () => string = () => readFileSync(0, 'utf8')): ReadInputs {
  const documents: SourcedDocument[] = [];
  const issues: ConfigIssue[] = [];
  let stdinText: string | undefined;
  for (const path of paths) {
    if (path === '-' || path === STDIN) {
      stdinText ??= stdin();
      collect(stdinText, '<stdin>', documents, issues);
      continue;
    }
    for (const file of manifestFiles(path, issues)) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        issues.push(unreadable(file, error));
        continue;
      }
      collect(text, file, documents, issues);
    }
  }
  return { documents, issues };
}

/** Parses one text; `kind: List` documents (kubectl get -o yaml) are opened into their items. */
export function parseDocuments(text: string, file: string): ReadInputs {
  const documents: SourcedDocument[] = [];
  const issues: ConfigIssue[] = [];
  collect(text, file, documents, issues);
  return { documents, issues };
}

function collect(text: string, file: string, documents: SourcedDocument[], issues: ConfigIssue[]): void {
  const parsed = parseYaml(text, { file });
  issues.push(...parsed.issues);
  for (const doc of parsed.objects) {
    const object = doc.object as { kind?: unknown; items?: unknown } | null;
    if (object && typeof object === 'object' && object.kind === 'List' && Array.isArray(object.items)) {
      object.items.forEach((item, index) => {
        documents.push({ object: item, source: doc.locate(['items', index]), locate: (path) => doc.locate(['items', index, ...path]) });
      });
    } else {
      documents.push(doc);
    }
  }
}

function manifestFiles(path: string, issues: ConfigIssue[]): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    issues.push(unreadable(path, error));
    return [];
  }
  if (!stat.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...manifestFiles(full, issues));
    else if (MANIFEST.test(entry.name)) out.push(full);
  }
  return out;
}

function unreadable(path: string, error: unknown): ConfigIssue {
  const code = (error as { code?: string }).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error);
  return { severity: 'error', path: '', message: `cannot read ${path}: ${reason}`, source: { file: path, line: 1, column: 1 } };
}
