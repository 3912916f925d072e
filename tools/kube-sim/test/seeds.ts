// Pulls the Kubernetes YAML examples out of the prose seed documents in ../shared/seeds. Pages
// copied from the web lose their YAML in two ways, both handled here:
// - indentation stripped ("flattened"): nesting is rebuilt from the kind's CRD schema;
// - whole documents run onto one line, words glued (`metallb-systemspec:`): split into tokens,
//   and a key glued to the end of a value is recovered when it is a key the schema knows.
import { parse as parseYaml } from 'yaml';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface SeedExample {
  readonly source: string;
  readonly object: Record<string, unknown>;
}

const YAML_LINE = /^\s*(-\s+)?[A-Za-z0-9_./-]+:(\s.*)?$|^\s*-\s+\S.*$|^\s*---\s*$|^\s*#.*$/;

const objectMeta: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

function rootSchema(spec: Schema | undefined): Schema {
  return {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: objectMeta, ...(spec?.properties ? { spec: spec.properties['spec'] ?? {} } : {}) },
  };
}

/** Candidate YAML documents: runs of YAML-looking lines starting at `apiVersion:`. */
function candidateBlocks(text: string): string[][] {
  const lines = text.replace(/```(yaml)?/g, '\n').split('\n');
  const blocks: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*apiVersion:\s*\S+/.test(lines[i] as string)) continue;
    const block: string[] = [];
    let j = i;
    for (; j < lines.length; j++) {
      const line = lines[j] as string;
      if (line.trim() === '') {
        // A blank line ends the block unless YAML (a `---` or more keys) follows.
        const next = lines.slice(j + 1).find((l) => l.trim() !== '');
        if (next === undefined || !YAML_LINE.test(next)) break;
        block.push('');
        continue;
      }
      if (!YAML_LINE.test(line) && !/^\s*apiVersion:/.test(line)) break;
      // A bullet that is a sentence is prose after the example, not a list item.
      if (/^\s*-\s+(\S+\s+){3,}\S/.test(line.replace(/\s+#.*$/, '')) && !/[{[]/.test(line)) break;
      block.push(line);
    }
    // A key with no value at the very end is a prose heading ("Notes:"), not part of the example.
    while (block.length > 0 && /^\s*[A-Za-z]+:\s*$/.test(block[block.length - 1] as string) && !/^\s/.test(block[block.length - 1] as string)) block.pop();
    blocks.push(block);
    i = j - 1;
  }
  return blocks;
}

type Token = { t: 'key'; key: string; value?: string } | { t: 'item' } | { t: 'value'; value: string };

function allKeys(s: Schema | undefined, out = new Set<string>()): Set<string> {
  if (!s) return out;
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    allKeys(v, out);
  }
  if (s.items) allKeys(s.items, out);
  if (typeof s.additionalProperties === 'object') allKeys(s.additionalProperties, out);
  return out;
}

function tokenize(lines: readonly string[], known: Set<string>): Token[] {
  const tokens: Token[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const flowItem = /^-\s+([[{].*)$/.exec(line);
    if (flowItem) {
      tokens.push({ t: 'item' }, { t: 'value', value: flowItem[1] as string });
      continue;
    }
    for (const word of line.split(/\s+/)) {
      if (word === '-') tokens.push({ t: 'item' });
      else if (word.endsWith(':') && !word.endsWith('::')) {
        const key = word.slice(0, -1);
        const glued = known.has(key) ? undefined : [...known].find((k) => key.endsWith(k) && key.length > k.length);
        if (glued) {
          pushValue(tokens, key.slice(0, key.length - glued.length));
          tokens.push({ t: 'key', key: glued });
        } else tokens.push({ t: 'key', key });
      } else pushValue(tokens, word);
    }
  }
  return tokens;
}

function pushValue(tokens: Token[], word: string): void {
  const last = tokens[tokens.length - 1];
  if (last?.t === 'key') last.value = last.value === undefined ? word : `${last.value} ${word}`;
  else if (last?.t === 'value') last.value = `${last.value} ${word}`;
  else tokens.push({ t: 'value', value: word });
}

interface Frame {
  readonly schema: Schema;
  readonly target: Record<string, unknown> | unknown[];
}

function isMap(s: Schema): boolean {
  return !s.properties && (typeof s.additionalProperties === 'object' || s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] === true);
}

/** Rebuilds a document's structure from flattened tokens, guided by the schema. */
function rebuild(tokens: readonly Token[], root: Schema, where: string): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const stack: Frame[] = [{ schema: root, target: doc }];
  const scalar = (v: string): unknown => parseYaml(v) as unknown;
  const claims = (f: Frame, key: string, depth: number): boolean => {
    if (Array.isArray(f.target)) return false;
    if (f.schema.properties?.[key]) return true;
    // A map takes any key an enclosing object does not declare.
    return isMap(f.schema) && !stack.slice(0, depth).some((a) => a.schema.properties?.[key]);
  };
  const open = (parent: Record<string, unknown>, key: string, schema: Schema): void => {
    if (schema.type === 'array') {
      const list: unknown[] = [];
      parent[key] = list;
      stack.push({ schema, target: list });
    } else {
      const obj: Record<string, unknown> = {};
      parent[key] = obj;
      stack.push({ schema, target: obj });
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    if (tok.t === 'key') {
      while (stack.length > 0 && !claims(stack[stack.length - 1] as Frame, tok.key, stack.length - 1)) stack.pop();
      const frame = stack[stack.length - 1];
      if (!frame) throw new Error(`${where}: cannot place key "${tok.key}"`);
      const target = frame.target as Record<string, unknown>;
      const schema = frame.schema.properties?.[tok.key] ?? (typeof frame.schema.additionalProperties === 'object' ? frame.schema.additionalProperties : {});
      if (tok.value !== undefined) target[tok.key] = scalar(tok.value);
      else open(target, tok.key, schema);
    } else if (tok.t === 'item') {
      while (stack.length > 0 && !Array.isArray((stack[stack.length - 1] as Frame).target)) stack.pop();
      const frame = stack[stack.length - 1];
      if (!frame) throw new Error(`${where}: list item outside a list`);
      const list = frame.target as unknown[];
      const next = tokens[i + 1];
      if (next?.t === 'value') {
        list.push(scalar(next.value));
        i++;
      } else {
        const obj: Record<string, unknown> = {};
        list.push(obj);
        stack.push({ schema: frame.schema.items ?? {}, target: obj });
      }
    } else throw new Error(`${where}: stray value "${tok.value}"`);
  }
  return doc;
}

/**
 * Every example object in a seed document. `schemaFor(apiVersion, kind)` gives a kind's CRD
 * openAPIV3Schema (needed only for flattened examples).
 */
export function extractExamples(text: string, source: string, schemaFor: (apiVersion: string, kind: string) => Schema | undefined): SeedExample[] {
  const out: SeedExample[] = [];
  candidateBlocks(text).forEach((block, n) => {
    const where = `${source} block ${n + 1}`;
    const indented = block.some((l) => /^\s+\S/.test(l)) && !block.some((l) => /^\s*apiVersion:.*\s\w+:/.test(l));
    const minIndent = Math.min(...block.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
    if (indented) {
      const docs = block.map((l) => l.slice(minIndent)).join('\n').split(/^---\s*$/m);
      for (const d of docs) {
        const value = parseYaml(d) as unknown;
        if (value && typeof value === 'object') out.push({ source: where, object: value as Record<string, unknown> });
      }
      return;
    }
    // Flattened: find the kind first, then rebuild with its schema.
    const flat = block.join(' ');
    const apiVersion = /apiVersion:\s*(\S+)/.exec(flat)?.[1] ?? '';
    const kind = /kind:\s*(\S+)/.exec(flat)?.[1] ?? '';
    const root = rootSchema(schemaFor(apiVersion, kind));
    const tokens = tokenize(block, allKeys(root));
    out.push({ source: where, object: rebuild(tokens, root, where) });
  });
  return out;
}
