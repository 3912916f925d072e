// The controller logs as every lb process does (@lb/daemon); modules import the type from here.
export { createLogger, type Logger } from '@lb/daemon';
