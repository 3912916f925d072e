#!/usr/bin/env node
// Bundles one of the repository's programs for an image: the built JavaScript its bin runs
// (dist/, never TypeScript), every dependency inlined by esbuild (no node_modules, no dev
// dependencies), and next to it only what cannot be inlined: the native addons it loads at run
// time and the worker modules it forks. Usage:
//   node bundle.mjs <package dir> <output dir>
// Writes <output>/<bin name>.js, <output>/package.json ({"type":"module"}), <output>/node_modules/<addon>
// and prints a JSON summary. Exit code 3 when the package has no bin yet; with --without-bin it
// then writes an entry that says so and fails, beside every addon and worker (the speaker's image
// before its process exists, so that what it carries can still be checked).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const args = process.argv.slice(2);
const withoutBin = args.includes('--without-bin');
const [packageDir, outDir] = args.filter((a) => !a.startsWith('--')).map((p) => resolve(p));
if (!packageDir || !outDir) {
  process.stderr.write('usage: node bundle.mjs <package dir> <output dir>\n');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const bins = Object.entries(typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {}));
if (bins.length === 0 && !withoutBin) {
  process.stderr.write(`bundle: ${manifest.name} has no bin (package.json "bin") yet\n`);
  process.exit(3);
}
const binName = bins[0]?.[0] ?? `lb-${manifest.name.split('/').pop()}`;
const entry = bins[0] ? distEntry(bins[0][1]) : undefined;

/** The bin imports dist/<entry>.js by a computed path (so that a missing build is reported); find it. */
function distEntry(binPath) {
  const binSource = readFileSync(join(packageDir, binPath), 'utf8');
  const entryName = /'dist',\s*'([^']+\.js)'/.exec(binSource)?.[1];
  if (!entryName) throw new Error(`${binPath} names no 'dist', '<entry>.js' module`);
  const path = join(packageDir, 'dist', entryName);
  if (!existsSync(path)) throw new Error(`${path} is missing: build ${manifest.name} first (npx nx run ${manifest.nx?.name ?? manifest.name}:build)`);
  return path;
}

/** Addons loaded with createRequire(import.meta.url)('<name>'): resolved beside the bundle at run time. */
const NATIVE = ['cap', '@lb/arp-fastpath', '@lb/bgp-sockopt', '@lb/bfd-socket'];
/** Modules forked by path next to the module that forks them (libs/arp's pcap worker). */
const WORKERS = [{ name: 'worker.js', from: '@lb/arp/package.json', path: 'dist/pcap/worker.js', forkedBy: '/arp/dist/pcap/supervisor.js' }];

mkdirSync(outDir, { recursive: true });
const banner = "import { createRequire as __lbCreateRequire } from 'node:module';\nconst require = __lbCreateRequire(import.meta.url);";
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Built JavaScript only: never the `development` condition that points at TypeScript sources.
  conditions: ['node', 'import', 'default'],
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  legalComments: 'none',
  banner: { js: banner },
  external: NATIVE,
  logLevel: 'warning',
};
const bundlePath = join(outDir, `${binName}.js`);
let inputs = [];
if (entry) {
  const main = await build({ ...common, entryPoints: { [binName]: entry }, outdir: outDir, outExtension: { '.js': '.js' }, metafile: true });
  inputs = Object.keys(main.metafile.inputs);
} else {
  writeFileSync(
    bundlePath,
    `// ${manifest.name} had no bin when this image was built: the image carries its addons, not its process.\n` +
      `process.stderr.write(${JSON.stringify(`${binName}: this image was built before ${manifest.name} had its process (package.json "bin"); rebuild it\n`)});\nprocess.exit(1);\n`,
  );
}
/**
 * Rewrites a bundle with every non-ASCII character escaped. V8 keeps a script's source in memory
 * (functions compile lazily from it), one byte per character only when every character is
 * Latin-1. esbuild escapes non-ASCII characters in strings but leaves regular expression literals
 * as written, and one Greek mu in a duration pattern made the controller's 2.9 MB source a 5.8 MB
 * UTF-16 string. \uXXXX means the same character in a regular expression, a string or a name.
 */
function asciiOnly(path) {
  const escaped = readFileSync(path, 'utf8').replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(path, escaped);
  return escaped;
}
const text = asciiOnly(bundlePath);

const require = createRequire(join(packageDir, 'package.json'));
const natives = [];
for (const name of NATIVE) {
  if (entry && !text.includes(`("${name}")`) && !text.includes(`('${name}')`)) continue;
  const dir = dirname(require.resolve(`${name}/package.json`));
  const target = join(outDir, 'node_modules', name);
  mkdirSync(target, { recursive: true });
  cpSync(join(dir, 'package.json'), join(target, 'package.json'));
  for (const sub of ['lib']) if (existsSync(join(dir, sub))) cpSync(join(dir, sub), join(target, sub), { recursive: true });
  for (const file of readdirSync(dir)) if (file.endsWith('.js') || file.endsWith('.cjs')) cpSync(join(dir, file), join(target, file));
  const release = join(dir, 'build', 'Release');
  const addons = existsSync(release) ? readdirSync(release).filter((f) => f.endsWith('.node')) : [];
  if (addons.length === 0) throw new Error(`${name} has no built addon in ${release}: run npm install (it builds the native addons)`);
  mkdirSync(join(target, 'build', 'Release'), { recursive: true });
  for (const addon of addons) cpSync(join(release, addon), join(target, 'build', 'Release', addon));
  natives.push(name);
}
const workers = [];
for (const worker of WORKERS) {
  if (entry && !inputs.some((i) => i.endsWith(worker.forkedBy))) continue;
  const source = join(dirname(require.resolve(worker.from)), worker.path);
  await build({ ...common, entryPoints: [source], outfile: join(outDir, worker.name) });
  asciiOnly(join(outDir, worker.name));
  workers.push(worker.name);
}
writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module', private: true }) + '\n');
process.stdout.write(
  JSON.stringify({
    bin: binName,
    entry: entry ?? null,
    bytes: Buffer.byteLength(text),
    inputs: inputs.length,
    typescriptInputs: inputs.filter((i) => /\.[mc]?ts$/.test(i) && !i.endsWith('.d.ts')).length,
    natives,
    workers,
  }) + '\n',
);
