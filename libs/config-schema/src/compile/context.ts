// Where compile() collects problems: each rule reports against the resource it found at fault,
// with a path inside it; positions in the YAML are filled in when the resource came from YAML.
import { type ConfigIssue, type PathSegment, type ResourceRef, type SourcePosition, formatPath, parsePath } from '../issues.js';

/** A resource as compile() sees it: what it is and how to find its fields in the input. */
export interface Origin {
  readonly ref: ResourceRef;
  readonly locate?: (path: readonly PathSegment[]) => SourcePosition;
}

export interface ReportOptions {
  readonly transient?: boolean;
}

export class IssueSink {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  error(origin: Origin, path: readonly PathSegment[], message: string, options: ReportOptions = {}): void {
    this.errors.push(issue('error', origin, path, message, options));
  }

  warning(origin: Origin, path: readonly PathSegment[], message: string): void {
    this.warnings.push(issue('warning', origin, path, message, {}));
  }

  /** An issue made elsewhere (schema validation), given a position if it has none. */
  add(found: ConfigIssue, origin: Origin | undefined): void {
    const located = found.source || !origin?.locate ? found : { ...found, source: origin.locate(parsePath(found.path)) };
    (located.severity === 'error' ? this.errors : this.warnings).push(located);
  }
}

function issue(severity: 'error' | 'warning', origin: Origin, path: readonly PathSegment[], message: string, options: ReportOptions): ConfigIssue {
  return {
    severity,
    resource: origin.ref,
    path: formatPath(path),
    message,
    ...(options.transient ? { transient: true } : {}),
    ...(origin.locate ? { source: origin.locate(path) } : {}),
  };
}
