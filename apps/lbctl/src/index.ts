// The cores, for tests and for anyone embedding lbctl's answers.
export { clusterStatus, type ClusterStatus, type PoolUsage } from './status.js';
export { convertLegacy, type Conversion, type ConvertOptions, type ConvertResult } from './convert.js';
export { explainService, type Explanation, type ExplainOptions, type PoolConsideration, type Verdict } from './explain.js';
export { planChange, type Plan, type PlanOptions, type ServiceChange, type AnnouncementMove } from './plan.js';
export { validateDocuments, type ValidationReport, type ValidateInput } from './validate.js';
export { snapshotFromObjects, type ClusterSnapshot, type SnapshotOptions } from './snapshot.js';
export { run, EXIT, type Io } from './cli.js';
