// Checks made before anything starts, so that a speaker never runs deaf: libpcap (`cap`, an
// optional dependency of @lb/arp that npm silently skips when libpcap-dev is missing), the ARP fast
// path addon (optional: libpcap answers without it, slower), and CAP_NET_RAW.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CAP_NET_RAW = 13;
export const CAP_SYS_NICE = 23;

export interface Preflight {
  /** Present: the one line saying why the speaker cannot answer ARP/NDP. */
  readonly fatal?: string;
  readonly warnings: readonly string[];
  readonly fastPath: boolean;
}

export interface PreflightProbe {
  /** Loads a module the way @lb/arp does (relative to it); throws when it is missing or does not load. */
  readonly load: (name: string) => void;
  /** The effective capability set (hex mask of /proc/self/status CapEff). */
  readonly effectiveCaps: () => bigint;
}

export function systemProbe(): PreflightProbe {
  const fromArp = arpRequire();
  return {
    load: (name) => void fromArp(name),
    effectiveCaps: () => {
      const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      return hex === undefined ? 0n : BigInt(`0x${hex}`);
    },
  };
}

/**
 * `cap` and the addon are @lb/arp's dependencies: resolved from there, as it will. In the image's
 * bundle @lb/arp is inlined and has no package.json; the addons sit beside the bundle, where
 * resolving from this module finds them.
 */
function arpRequire(): NodeJS.Require {
  const here = createRequire(import.meta.url);
  try {
    return createRequire(here.resolve('@lb/arp/package.json'));
  } catch {
    return here;
  }
}

/** Pure over its probe: what is missing for layer 2, and what only slows it down. */
export function preflightLayer2(probe: PreflightProbe): Preflight {
  const warnings: string[] = [];
  const caps = probe.effectiveCaps();
  const has = (bit: number): boolean => (caps & (1n << BigInt(bit))) !== 0n;
  const missing: string[] = [];
  try {
    probe.load('cap');
  } catch (error) {
    missing.push(`libpcap binding "cap" does not load (install libpcap-dev, then npm install): ${firstLine(error)}`);
  }
  if (!has(CAP_NET_RAW)) missing.push('capability CAP_NET_RAW is missing (needed to answer ARP/NDP; add NET_RAW to the container, or setpriv --ambient-caps +net_raw)');
  let fastPath = false;
  try {
    probe.load('@lb/arp-fastpath');
    fastPath = true;
  } catch (error) {
    warnings.push(`the ARP fast path (@lb/arp-fastpath) does not load, ARP is answered through libpcap (slower): ${firstLine(error)}`);
  }
  if (fastPath && !has(CAP_SYS_NICE)) warnings.push('CAP_SYS_NICE is missing: the fast path readers run at normal priority (slower under load)');
  return { ...(missing.length > 0 ? { fatal: `cannot announce in layer 2: ${missing.join('; ')}` } : {}), warnings, fastPath };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
