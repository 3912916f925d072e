import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../environment.js';
import { type Lab, type SpawnedProcess } from '../lab.js';
import { families, neighborStateFromRfcName, normalizeCommunity } from './common.js';
import { type BgpDaemon, type BgpDaemonConfig, type BgpFamily, type RibRoute } from './types.js';

/** bgpd.conf for a config (FRR "traditional" defaults, no policy required, no zebra). */
export function frrConfig(config: BgpDaemonConfig): string {
  const lines = ['frr defaults traditional', 'hostname lab-frr', 'log stdout', `router bgp ${config.asn}`, ` bgp router-id ${config.routerId}`];
  lines.push(' no bgp ebgp-requires-policy', ' no bgp network import-check', ' no bgp default ipv4-unicast');
  for (const n of config.neighbors) {
    const a = n.address;
    lines.push(` neighbor ${a} remote-as ${n.asn}`, ` neighbor ${a} timers connect ${n.connectRetry ?? 1}`);
    if (n.holdTime !== undefined) lines.push(` neighbor ${a} timers ${Math.max(1, Math.floor(n.holdTime / 3))} ${n.holdTime}`);
    if (n.password) lines.push(` neighbor ${a} password ${n.password}`);
    if (n.passive) lines.push(` neighbor ${a} passive`);
    if (n.multihopTtl !== undefined) lines.push(` neighbor ${a} ebgp-multihop ${n.multihopTtl}`);
    if (n.port !== undefined) lines.push(` neighbor ${a} port ${n.port}`);
    if (n.ttlSecurity) lines.push(` neighbor ${a} ttl-security hops 1`);
    if (n.gracefulRestart) lines.push(` neighbor ${a} graceful-restart-helper`);
    if (a.includes(':')) lines.push(` neighbor ${a} capability extended-nexthop`);
  }
  for (const family of ['ipv4-unicast', 'ipv6-unicast'] as const) {
    lines.push(` address-family ${family === 'ipv4-unicast' ? 'ipv4' : 'ipv6'} unicast`);
    for (const n of config.neighbors) if (families(n.families).includes(family)) lines.push(`  neighbor ${n.address} activate`);
    lines.push(' exit-address-family');
  }
  return lines.join('\n') + '\n';
}

interface FrrPath {
  aspath?: { segments?: { list: number[] }[] };
  metric?: number;
  locPrf?: number;
  localpref?: number;
  community?: { list?: string[] };
  largeCommunity?: { list?: string[] };
  nexthops?: { ip: string }[];
  stale?: boolean;
}

/** Starts FRR's bgpd alone (-Z: no zebra) in `ns`; vtysh reaches it through a socket in the lab dir. */
export function startFrr(lab: Lab, ns: string, config: BgpDaemonConfig): BgpDaemon {
  const exe = findExecutable('bgpd');
  if (!exe) throw new Error("FRR's 'bgpd' is not installed (run tools/bootstrap.sh)");
  const dir = join(lab.workDir, `frr-${ns}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bgpd.conf'), frrConfig(config));
  const args = ['-f', join(dir, 'bgpd.conf'), '-Z', '-n', '-S', '--vty_socket', dir, '-i', join(dir, 'bgpd.pid'), '-P', '0', '--log', 'stdout'];
  args.push('-p', String(config.port ?? 179));
  for (const address of config.listenAddresses ?? []) args.push('-l', address);
  const spawned = lab.spawn(ns, exe, args);
  return frrBgpDaemon(lab, ns, dir, spawned);
}

/** The BgpDaemon view of a running bgpd whose vty socket is in `vtyDir`. */
export function frrBgpDaemon(lab: Lab, ns: string, vtyDir: string, bgpd: SpawnedProcess, stopAll?: () => Promise<void>): BgpDaemon {
  const vtysh = (command: string): string => lab.ns(ns, 'vtysh', ['--vty_socket', vtyDir, '-d', 'bgpd', '-c', command], { timeoutMs: 60_000 }).stdout;
  const afi = (family: BgpFamily): string => (family === 'ipv4-unicast' ? 'ipv4' : 'ipv6');
  const neighbor = (address: string): Record<string, unknown> | undefined =>
    (JSON.parse(vtysh(`show bgp neighbors ${address} json`) || '{}') as Record<string, Record<string, unknown>>)[address];
  return {
    kind: 'frr',
    ns,
    process: bgpd,
    neighborState(address) {
      try {
        return neighborStateFromRfcName(neighbor(address)?.['bgpState'] as string | undefined);
      } catch {
        return 'idle';
      }
    },
    routes(family) {
      const table = JSON.parse(vtysh(`show bgp ${afi(family)} unicast json`) || '{}') as { routes?: Record<string, unknown> };
      return Object.keys(table.routes ?? {}).flatMap((prefix) => {
        const detail = JSON.parse(vtysh(`show bgp ${afi(family)} unicast ${prefix} json`) || '{}') as { paths?: FrrPath[] };
        return (detail.paths ?? []).map((p) => toRibRoute(prefix, p));
      });
    },
    acceptedCount(address, family) {
      const info = neighbor(address)?.['addressFamilyInfo'] as Record<string, { acceptedPrefixCounter?: number }> | undefined;
      return info?.[family === 'ipv4-unicast' ? 'ipv4Unicast' : 'ipv6Unicast']?.acceptedPrefixCounter ?? 0;
    },
    control: (command) => vtysh(command.join(' ')),
    output: bgpd.output,
    pause: () => void bgpd.child.kill('SIGSTOP'),
    resume: () => void bgpd.child.kill('SIGCONT'),
    stop:
      stopAll ??
      (async () => {
        bgpd.child.kill('SIGCONT');
        await bgpd.stop();
      }),
  };
}

function toRibRoute(prefix: string, p: FrrPath): RibRoute {
  const localPref = p.locPrf ?? p.localpref;
  return {
    prefix,
    nextHops: (p.nexthops ?? []).map((n) => n.ip),
    asPath: (p.aspath?.segments ?? []).flatMap((s) => s.list),
    ...(p.metric !== undefined ? { med: p.metric } : {}),
    ...(localPref !== undefined ? { localPref } : {}),
    communities: (p.community?.list ?? []).map(normalizeCommunity),
    largeCommunities: p.largeCommunity?.list ?? [],
    stale: p.stale === true,
  };
}
