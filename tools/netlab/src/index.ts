// Public API of @lb/netlab: namespaces, links and processes for tests against real network peers.
export { findExecutable, requireNetworkLab } from './environment.js';
export { Lab, type ExecResult, type SpawnedProcess } from './lab.js';
export { waitFor } from './wait.js';
