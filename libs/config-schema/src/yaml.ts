// Multi-document YAML in, plain objects out, each remembering where it came from so that problems
// can point at a line. Malformed documents are reported with line and column and skipped; the
// others are still read.
//
// Two parsers, because positions are expensive and rarely needed: `yaml` keeps a node tree with
// source ranges (and reports every malformed document), but reads ~5x slower than js-yaml, which
// keeps nothing. Well-formed input is read with js-yaml, and `yaml` runs only when something asks
// for a position, i.e. when there is a problem to report. Anything unusual (a syntax error, a tag
// outside the core schema, an alias to a collection) goes to `yaml` from the start.
import jsYaml from 'js-yaml';
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
  const values = readQuickly(text);
  if (values === undefined) return parseWithPositions(text, options);
  let withPositions: ParsedYaml | undefined;
  const positioned = (index: number): SourcedObject | undefined => (withPositions ??= parseWithPositions(text, options)).objects[index];
  const start: SourcePosition = options.file === undefined ? { line: 1, column: 1 } : { file: options.file, line: 1, column: 1 };
  const objects: SourcedObject[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    for (const object of isList(value) ? value.items : [value]) {
      const index = objects.length;
      objects.push({
        object,
        get source() {
          return positioned(index)?.source ?? start;
        },
        locate: (path) => positioned(index)?.locate(path) ?? start,
      });
    }
  }
  return { objects, issues: [] };
}

// The YAML 1.2 core schema (spec 1.2.2 §10.3.2), which is what `yaml` reads by default; js-yaml's
// own schemas add YAML 1.1 forms (0b binary, signed hex), so that the two would disagree.
const coreScalar = (tag: string, pattern: RegExp, construct: (text: string) => unknown) =>
  new jsYaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (text: string) => pattern.test(text), construct });
const CORE_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    coreScalar('null', /^(?:~|null|Null|NULL)?$/, () => null),
    coreScalar('bool', /^(?:true|True|TRUE|false|False|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T'),
    coreScalar('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (text) =>
      text.startsWith('0o') ? parseInt(text.slice(2), 8) : text.startsWith('0x') ? parseInt(text.slice(2), 16) : parseInt(text, 10),
    ),
    coreScalar('float', /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/, (text) => {
      const lower = text.toLowerCase();
      if (lower.endsWith('.nan')) return NaN;
      if (lower.endsWith('.inf')) return text.startsWith('-') ? -Infinity : Infinity;
      return parseFloat(text);
    }),
  ],
});

/** Every document's value, or undefined when the text needs the careful parser. */
function readQuickly(text: string): unknown[] | undefined {
  if (UNUSUAL_KEY.test(text)) return undefined;
  try {
    const values = jsYaml.loadAll(text, null, { schema: CORE_SCHEMA });
    return values.some((value) => sharesCollections(value)) ? undefined : values;
  } catch {
    // Malformed, or nested deeper than the stack: the careful parser says what is wrong.
    return undefined;
  }
}

// The readers turn a key that is not a string into different text: `yaml` makes a null key "" and
// prints a collection key as YAML, js-yaml makes them "null" and "x". Manifests never have such keys,
// so anything that may be one (empty, ~, null, `? ` explicit, a flow collection before the colon) goes
// to `yaml`; a false alarm costs only time.
const UNUSUAL_KEY = /(?:^|[\s,{[?-])(?:~|null|Null|NULL)?:(?:\s|$)|^[ \t-]*\?(?:\s|$)|[\]}]\s*:(?:\s|$)/m;

// js-yaml turns an alias into a second reference to the same object. That is how "billion laughs"
// documents stay small while parsing and explode later, so any shared collection goes to `yaml`,
// which counts alias expansions.
function sharesCollections(value: unknown, seen = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (seen.has(value)) return true;
  seen.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (sharesCollections(child, seen)) return true;
  return false;
}

function parseWithPositions(text: string, options: ParseYamlOptions): ParsedYaml {
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
