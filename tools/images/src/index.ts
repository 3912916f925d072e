export { valuesRows, valuesTable, withValuesTable, type SchemaNode, type ValuesRow } from './values-table.js';
export { chartDir, readChartValuesTable } from './chart-files.js';
export { podSecurityViolations, type PodContainer, type PodSecurityLevel, type PodSpec } from './pod-security.js';
export { describeRequest, grantingRule, requestAttributes, type PolicyRule, type RequestAttributes } from './rbac.js';
export { podmanArgs, type ContainerSpec, type PodSecurity, type PodmanArgs } from './podman-args.js';
export { metricNames } from './promql.js';
