import { waitFor } from '../wait.js';
import { type BgpDaemon, type NeighborState } from './types.js';

/** Maps the RFC 4271 state names that BIRD and FRR print (`Established`, `OpenSent`, …) to ours. */
export function neighborStateFromRfcName(name: string | undefined): NeighborState {
  switch (name) {
    case 'Connect': return 'connect';
    case 'Active': return 'active';
    case 'OpenSent': return 'opensent';
    case 'OpenConfirm': return 'openconfirm';
    case 'Established': return 'established';
    default: return 'idle';
  }
}

/** Waits until the daemon reports `state` for `neighbor`. */
export async function waitForNeighbor(daemon: BgpDaemon, neighbor: string, state: NeighborState, timeoutMs = 30_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      `${daemon.kind} neighbor ${neighbor} ${state}`,
      () => {
        last = daemon.neighborState(neighbor);
        return last === state;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message} (last state ${last})\n${daemon.kind} output:\n${daemon.output().slice(-3000)}`);
  }
}

const wellKnown: Record<string, string> = {
  'no-export': '65535:65281',
  noexport: '65535:65281',
  'no-advertise': '65535:65282',
  noadvertise: '65535:65282',
  'local-as': '65535:65283',
  'no-peer': '65535:65284',
  nopeer: '65535:65284',
  blackhole: '65535:666',
  'graceful-shutdown': '65535:0',
  'accept-own': '65535:1',
  'llgr-stale': '65535:6',
  'no-llgr': '65535:7',
};

/** "asn:value" for a community written as a number, "asn:value" or a well-known name. */
export function normalizeCommunity(value: string | number): string {
  if (typeof value === 'number') return `${Math.floor(value / 65536)}:${value % 65536}`;
  return wellKnown[value.toLowerCase()] ?? value;
}

export function families(list: readonly string[] | undefined): readonly ('ipv4-unicast' | 'ipv6-unicast')[] {
  return (list as readonly ('ipv4-unicast' | 'ipv6-unicast')[] | undefined) ?? ['ipv4-unicast', 'ipv6-unicast'];
}
