// Public API of @lb/testdata: where the shared test data lives, and the README checks.
export { metallbCrdsDir, metallbSamplesDir, seedsDir, sharedDir, vectorsDir, vendoredDir, workspaceRoot } from './paths.js';
export { exportsMissingFromReadme, readmeExample, recordedExports, runReadmeExample } from './readme.js';
