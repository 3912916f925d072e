// ESLint plugin `lb`: the two rules eslint-plugin-import-x does not give this workspace.
// - no-import-cycle: import-x's no-cycle skips type-only imports, but a cycle of types is still
//   two modules that cannot be understood (or moved) one without the other; this one counts every
//   import and export-from, type-only included, between the files of one package.
// - no-relative-packages: a relative path into another package bypasses its entry point and
//   the boundary rules, which only see package names.
// Plain JavaScript: eslint.config.mjs loads it directly, without a build.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const CANDIDATES = (base) => {
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  return [`${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, base, join(base, 'index.ts'), join(base, 'index.mts')];
};

/** The file a relative specifier names, or undefined when none exists. */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  return CANDIDATES(base).find((p) => existsSync(p) && statSync(p).isFile());
}

/** Nearest directory above `file` with a package.json: the package the file belongs to. */
const packageRoots = new Map();
function packageRootOf(file) {
  let dir = dirname(file);
  const seen = [];
  while (!packageRoots.has(dir)) {
    seen.push(dir);
    if (existsSync(join(dir, 'package.json'))) {
      packageRoots.set(dir, dir);
      break;
    }
    const up = dirname(dir);
    if (up === dir) {
      packageRoots.set(dir, undefined);
      break;
    }
    dir = up;
  }
  const found = packageRoots.get(dir);
  for (const d of seen) packageRoots.set(d, found);
  return found;
}

/** The workspace root holds shared configuration (vitest.shared.mjs) that packages import by path. */
function isWorkspaceRoot(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).workspaces !== undefined;
}

/** Files `file` imports by relative path within its package, type-only imports included. Cached by mtime. */
const importCache = new Map();
function importsOf(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = importCache.get(file);
  if (cached && cached.mtime === mtime) return cached.imports;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const root = packageRootOf(file);
  const imports = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolveRelative(file, fileName);
    if (target && packageRootOf(target) === root) imports.push(target);
  }
  importCache.set(file, { mtime, imports });
  return imports;
}

/** The chain of files from `start` back to `target`, or undefined when `start` does not lead there. */
function pathBack(start, target) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === target) {
      const chain = [];
      for (let at = file; at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of importsOf(file)) {
      if (previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  return undefined;
}

/**
 * Visitors calling `visit(node, specifier, target, root)` for every relative module specifier of
 * the file (imports, export-from, dynamic imports): `target` is the file it names (or the path,
 * when no file exists), `root` the package the importing file belongs to.
 */
function relativeImports(context, visit) {
  const file = context.filename;
  const root = packageRootOf(file);
  const check = (node) => {
    const specifier = node.source?.value;
    if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
    visit(node, specifier, resolveRelative(file, specifier) ?? resolve(dirname(file), specifier), root);
  };
  return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
}

const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between the files of a package, type-only imports included.' },
    schema: [],
    messages: { cycle: 'Import cycle: {{chain}}. Move what both need into a module of its own.' },
  },
  create(context) {
    return relativeImports(context, (node, _specifier, target, root) => {
      if (!existsSync(target) || packageRootOf(target) !== root) return;
      const chain = pathBack(target, context.filename);
      if (!chain) return;
      const names = [context.filename, ...chain].map((p) => relative(root ?? dirname(context.filename), p));
      context.report({ node, messageId: 'cycle', data: { chain: names.join(' -> ') } });
    });
  },
};

const noRelativePackages = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid relative imports into another package; import it by name.' },
    schema: [],
    messages: { crossing: "'{{specifier}}' reaches into another package ({{other}}); import it by its name so that its entry point and the boundary rules apply." },
  },
  create(context) {
    return relativeImports(context, (node, specifier, target, root) => {
      const other = packageRootOf(target);
      if (other !== undefined && other !== root && !isWorkspaceRoot(other)) {
        context.report({ node, messageId: 'crossing', data: { specifier, other: relative(root ?? dirname(context.filename), other) } });
      }
    });
  },
};

export default {
  meta: { name: 'eslint-plugin-lb' },
  rules: { 'no-import-cycle': noImportCycle, 'no-relative-packages': noRelativePackages },
};
