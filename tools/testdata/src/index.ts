// Public API of @lb/testdata: where the shared test data lives.
export { metallbCrdsDir, metallbSamplesDir, seedsDir, sharedDir, vectorsDir, vendoredDir, workspaceRoot } from './paths.js';
