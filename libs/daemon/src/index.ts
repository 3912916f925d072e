// Public API of @lb/daemon: what the controller and the speaker share as long-running processes.
export { createLogger } from './log.js';
export type { Logger, LogLevel } from './log.js';
export { startMonitoring } from './monitoring.js';
export type { Monitoring, MonitoringOptions } from './monitoring.js';
export { stopOnSignals } from './signals.js';
export type { SignalOptions, Stoppable } from './signals.js';
