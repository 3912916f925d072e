// What the network demo prints at the end: one row per scene, aligned columns a person can read
// at a glance. Pure, so the layout is tested without a network.

export interface SceneOutcome {
  readonly seed: string;
  readonly scene: string;
  /** The address(es) the scene's Service got; empty when it got none. */
  readonly addresses: readonly string[];
  readonly mode: string;
  /** Nodes that announce (layer 2) or advertise (BGP) it. */
  readonly announcedBy: readonly string[];
  /** What the client's curl reached: the answering node, or why it failed. */
  readonly reachable: string;
  /** Traffic gap of a failover scene, in ms. */
  readonly gapMs?: number;
  /** Set when the scene did not reach its promised outcome. */
  readonly failure?: string;
}

const HEADERS = ['seed', 'scene', 'address', 'mode', 'announced by', 'reachable', 'failover gap'] as const;

function cells(outcome: SceneOutcome): string[] {
  return [
    outcome.seed,
    outcome.scene,
    outcome.addresses.join(', ') || '-',
    outcome.mode,
    outcome.announcedBy.join(', ') || '-',
    outcome.failure ? `NO: ${shorten(outcome.failure, 70)}` : outcome.reachable,
    outcome.gapMs === undefined ? '' : `${Math.round(outcome.gapMs)} ms`,
  ];
}

/** The summary table, a header line and one line per outcome, columns padded to their widest cell. */
export function summaryTable(outcomes: readonly SceneOutcome[]): string {
  const rows = [[...HEADERS], ...outcomes.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

function shorten(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** "12.3 s" for a number of milliseconds. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
