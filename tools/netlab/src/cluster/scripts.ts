import { fileURLToPath } from 'node:url';

/**
 * The plain Node scripts run inside lab namespaces (scripts/ of this package). Modules of this
 * directory sit at the same depth in src/ and dist/, so one relative path serves both.
 */
export function scriptPath(name: 'node-http.mjs' | 'request-stream.mjs'): string {
  return fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url));
}
