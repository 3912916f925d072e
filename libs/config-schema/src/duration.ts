// Durations as Go's time.ParseDuration reads them, since MetalLB's API (metav1.Duration) takes
// that syntax: "90s", "1m30s", "1.5h", "300ms", "0".

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/y;

export interface DurationError {
  readonly kind: 'invalid-duration';
  readonly message: string;
}

/** Milliseconds, or why the text is not a Go duration. */
export type DurationResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: DurationError };

/** Milliseconds, or a reason the text is not a Go duration. */
export function parseGoDuration(text: string): DurationResult {
  const bad = { ok: false as const, error: { kind: 'invalid-duration' as const, message: `'${text}' is not a duration (write it like 90s, 1m30s or 500ms)` } };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, value: 0 };
  if (rest === '') return bad;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < rest.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(rest);
    if (!match || match.index !== start) return bad;
    const [, number = '', unit = ''] = match;
    if (number === '' || number === '.') return bad;
    total += Number(number) * (UNIT_MS[unit] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return bad;
  return { ok: true, value: sign * total };
}

/** Go's rendering of whole-second durations, for messages: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let seconds = ms / 1000;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}
