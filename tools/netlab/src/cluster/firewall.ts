/**
 * The nftables ruleset of one lab namespace, rebuilt whole from the faults in force: the table
 * `inet netlab` is replaced in one `nft -f` transaction, so a fault is added or lifted without
 * touching any other rule, and the table goes away with the namespace.
 */

/** Traffic to and from a peer's addresses on one port, dropped both ways. */
export interface PortCut {
  readonly peer: readonly string[];
  readonly port: number;
  readonly protocol: 'udp' | 'tcp';
}

/** The API server's addresses cut off: silently ('drop') or refused at once ('reject', TCP reset). */
export interface ApiCut {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly mode: 'drop' | 'reject';
}

export interface NamespaceFilter {
  readonly cuts: readonly PortCut[];
  readonly api?: ApiCut;
}

export const filterTable = 'netlab';

const family = (address: string): 'ip' | 'ip6' => (address.includes(':') ? 'ip6' : 'ip');

function bySet(addresses: readonly string[]): Array<['ip' | 'ip6', string]> {
  const out: Array<['ip' | 'ip6', string]> = [];
  for (const f of ['ip', 'ip6'] as const) {
    const list = addresses.filter((a) => family(a) === f);
    if (list.length > 0) out.push([f, `{ ${list.join(', ')} }`]);
  }
  return out;
}

/** The `nft -f` input that makes the namespace's table say exactly `filter` (or removes it). */
export function renderRuleset(filter: NamespaceFilter): string {
  const input: string[] = [];
  const output: string[] = [];
  for (const cut of filter.cuts) {
    for (const [f, set] of bySet(cut.peer)) {
      for (const end of ['sport', 'dport']) {
        input.push(`${f} saddr ${set} ${cut.protocol} ${end} ${cut.port} drop`);
        output.push(`${f} daddr ${set} ${cut.protocol} ${end} ${cut.port} drop`);
      }
    }
  }
  if (filter.api) {
    for (const [f, set] of bySet(filter.api.addresses)) {
      if (filter.api.mode === 'drop') {
        input.push(`${f} saddr ${set} tcp sport ${filter.api.port} drop`);
        output.push(`${f} daddr ${set} tcp dport ${filter.api.port} drop`);
      } else {
        // The reset comes back through input as if from the API server: nothing may drop it there.
        output.push(`${f} daddr ${set} tcp dport ${filter.api.port} reject with tcp reset`);
      }
    }
  }
  // Declaring the table first makes the delete succeed whether or not it existed.
  const lines = [`table inet ${filterTable}`, `delete table inet ${filterTable}`];
  if (input.length === 0 && output.length === 0) return lines.join('\n') + '\n';
  const chain = (name: string, hook: string, rules: readonly string[]): string[] => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority 0; policy accept;`,
    ...rules.map((r) => `    ${r}`),
    '  }',
  ];
  lines.push(`table inet ${filterTable} {`, ...chain('input', 'input', input), ...chain('output', 'output', output), '}');
  return lines.join('\n') + '\n';
}
