// The recorded public API of a library: one API Extractor report per entry point of its
// `exports` map, in `api/<name>[-<subpath>].api.md`, committed so that a change to the API shows in
// review. Run from the package directory after `build` (the `check` target does):
//   node ../../tools/scripts/api-report.mjs            fails when a report is stale or missing
//   node ../../tools/scripts/api-report.mjs --update   rewrites the reports
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
const dir = process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const short = pkg.name.split('/').pop();
const temp = mkdtempSync(join(tmpdir(), 'api-report-'));
mkdirSync(join(dir, 'api'), { recursive: true });

// Native addons have no exports map: their hand-written `types` file is the one entry point.
const entries = pkg.exports
  ? Object.entries(pkg.exports).filter(([subpath, target]) => subpath !== './package.json' && typeof target === 'object' && target.types)
  : pkg.types
    ? [['.', { types: pkg.types }]]
    : [];
if (entries.length === 0) {
  console.error(`api-report: ${pkg.name} has no entry point with types in its exports map`);
  process.exit(2);
}

let failed = false;
try {
  for (const [subpath, target] of entries) {
    const name = subpath === '.' ? short : `${short}-${subpath.slice(2).replaceAll('/', '-')}`;
    const config = ExtractorConfig.prepare({
      configObjectFullPath: join(dir, 'api-extractor.json'),
      packageJsonFullPath: join(dir, 'package.json'),
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: resolve(dir, target.types),
        compiler: {
          // The built declarations only: compiler options that resolve workspace packages to theirs.
          overrideTsconfig: {
            compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023'], types: ['node'], strict: true, skipLibCheck: true },
            files: [resolve(dir, target.types)],
          },
        },
        apiReport: { enabled: true, reportFileName: `${name}.api.md`, reportFolder: join(dir, 'api'), reportTempFolder: temp },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning', addToApiReportFile: true },
            // Release tags (@public, @beta) are not how this project marks what is public: the entry point is.
            'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
            // A subpath entry (`@lb/bgp-wire/node`) mentions the main entry's types, which its own
            // report lists; for the main entry a forgotten export is a real omission.
            ...(subpath === '.' ? {} : { 'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false } }),
          },
          tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
        },
      },
    });
    const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false, messageCallback: (m) => (m.handled = m.logLevel === 'none' || m.category === 'TSDoc') });
    if (result.apiReportChanged && !update) {
      console.error(`api-report: api/${name}.api.md is stale: the public API of ${pkg.name}${subpath === '.' ? '' : subpath.slice(1)} changed.`);
      console.error(`  If the change is meant, run \`npm run api-report -w ${pkg.name}\`, commit the report, and bump the version.`);
      failed = true;
    } else if (!result.succeeded) {
      console.error(`api-report: API Extractor failed for ${pkg.name}${subpath === '.' ? '' : subpath.slice(1)} (${result.errorCount} errors)`);
      failed = true;
    } else {
      console.log(`api-report: api/${name}.api.md ${update && result.apiReportChanged ? 'updated' : 'up to date'}`);
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
