// Multi-document YAML in, plain objects out, each remembering where it came from so that problems
// can point at a line. Malformed documents are reported with line and column and skipped; the
// others are still read.
import { type Document, LineCounter, isNode, parseAllDocuments } from 'yaml';
import { type ConfigIssue, type PathSegment, type SourcePosition } from './issues.js';

export interface SourcedObject {
  readonly object: unknown;
  /** Where the object starts. */
  readonly source: SourcePosition;
  /** Finds the position of a field of this object (or of its nearest present parent). */
  readonly locate: (path: readonly PathSegment[]) => SourcePosition;
}

export interface ParsedYaml {
  readonly objects: readonly SourcedObject[];
  readonly issues: readonly ConfigIssue[];
}

export interface ParseYamlOptions {
  /** Named in positions and messages. */
  readonly file?: string;
}

// Aliases may expand exponentially ("billion laughs"); no real manifest needs many.
const MAX_ALIAS_COUNT = 100;

export function parseYaml(text: string, options: ParseYamlOptions = {}): ParsedYaml {
  const lineCounter = new LineCounter();
  const objects: SourcedObject[] = [];
  const issues: ConfigIssue[] = [];
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return options.file === undefined ? { line, column: col } : { file: options.file, line, column: col };
  };
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { lineCounter, prettyErrors: false }) as Document.Parsed[];
  } catch (error) {
    issues.push({ severity: 'error', path: '', message: `cannot read YAML: ${(error as Error).message}`, source: position(0) });
    return { objects, issues };
  }
  if (!Array.isArray(documents)) documents = [documents];

  documents.forEach((document, index) => {
    if (document.errors.length > 0) {
      for (const problem of document.errors) {
        issues.push({
          severity: 'error',
          path: '',
          message: `malformed YAML in document ${index + 1}: ${problem.message.split('\n')[0]}`,
          source: position(problem.pos[0]),
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const start = document.contents?.range?.[0] ?? 0;
      issues.push({ severity: 'error', path: '', message: `document ${index + 1}: ${(error as Error).message}`, source: position(start) });
      return;
    }
    if (value === null || value === undefined) return;
    const locateIn = (prefix: readonly PathSegment[]) => (path: readonly PathSegment[]): SourcePosition => {
      const full = [...prefix, ...path];
      for (let length = full.length; length >= 0; length--) {
        const node = full.length === 0 && length === 0 ? document.contents : document.getIn(full.slice(0, length), true);
        if (isNode(node) && node.range) return position(node.range[0]);
      }
      return position(document.contents?.range?.[0] ?? 0);
    };
    if (isList(value)) {
      value.items.forEach((item, i) => {
        const locate = locateIn(['items', i]);
        objects.push({ object: item, source: locate([]), locate });
      });
      return;
    }
    const locate = locateIn([]);
    objects.push({ object: value, source: locate([]), locate });
  });
  return { objects, issues };
}

// `kind: List` (what `kubectl get -o yaml` prints) holds its objects in items.
function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record['kind'] === 'List' && Array.isArray(record['items']);
}
