import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../environment.js';
import { type Lab } from '../lab.js';
import { families, normalizeCommunity } from './common.js';
import { type BgpDaemon, type BgpDaemonConfig, type BgpFamily, type NeighborState, type RibRoute } from './types.js';

let apiPortCounter = 0;

/** gobgpd's TOML for a config. */
export function gobgpConfig(config: BgpDaemonConfig): string {
  const lines = ['[global.config]', `  as = ${config.asn}`, `  router-id = "${config.routerId}"`, `  port = ${config.port ?? 179}`];
  if (config.listenAddresses) lines.push(`  local-address-list = [${config.listenAddresses.map((a) => `"${a}"`).join(', ')}]`);
  for (const n of config.neighbors) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.asn}`);
    if (n.password) lines.push(`    auth-password = "${n.password}"`);
    lines.push('  [neighbors.timers.config]', `    connect-retry = ${n.connectRetry ?? 1}`, `    idle-hold-time-after-reset = 1`);
    if (n.holdTime !== undefined) lines.push(`    hold-time = ${n.holdTime}`, `    keepalive-interval = ${Math.max(1, Math.floor(n.holdTime / 3))}`);
    lines.push('  [neighbors.transport.config]', `    passive-mode = ${n.passive === true}`);
    if (n.port !== undefined) lines.push(`    remote-port = ${n.port}`);
    if (n.multihopTtl !== undefined) lines.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', `    multihop-ttl = ${n.multihopTtl}`);
    if (n.ttlSecurity) lines.push('  [neighbors.ttl-security.config]', '    enabled = true', '    ttl-min = 255');
    if (n.gracefulRestart) lines.push('  [neighbors.graceful-restart.config]', '    enabled = true', '    helper-only = true', '    restart-time = 120');
    for (const family of families(n.families)) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${family}"`);
      if (n.gracefulRestart) lines.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
    }
  }
  return lines.join('\n') + '\n';
}

const states: Record<number, NeighborState> = { 1: 'idle', 2: 'connect', 3: 'active', 4: 'opensent', 5: 'openconfirm', 6: 'established' };

interface GobgpPath {
  nlri: { prefix: string };
  stale?: boolean;
  attrs: { type: number; [key: string]: unknown }[];
}

/** Starts gobgpd in `ns` with its gRPC API on the namespace's loopback. */
export function startGobgpd(lab: Lab, ns: string, config: BgpDaemonConfig): BgpDaemon {
  const exe = findExecutable('gobgpd');
  if (!exe) throw new Error("'gobgpd' is not installed (run tools/bootstrap.sh)");
  apiPortCounter++;
  const apiPort = 50100 + ((process.pid * 7 + apiPortCounter) % 10000);
  const file = join(lab.workDir, `gobgpd-${ns}-${apiPortCounter}.toml`);
  writeFileSync(file, gobgpConfig(config));
  const spawned = lab.spawn(ns, exe, ['-f', file, '-p', '--api-hosts', `127.0.0.1:${apiPort}`, '--pprof-disable']);
  const cli = (args: string[]): string => lab.ns(ns, 'gobgp', ['-p', String(apiPort), ...args], { timeoutMs: 60_000 }).stdout;
  const afi = (family: BgpFamily): string => (family === 'ipv4-unicast' ? 'ipv4' : 'ipv6');
  const daemon: BgpDaemon = {
    kind: 'gobgpd',
    ns,
    process: spawned,
    neighborState(address) {
      try {
        const n = JSON.parse(cli(['neighbor', address, '-j'])) as { state?: { session_state?: number } };
        return states[n.state?.session_state ?? 1] ?? 'idle';
      } catch {
        return 'idle';
      }
    },
    routes(family) {
      const table = JSON.parse(cli(['global', 'rib', '-a', afi(family), '-j']) || '{}') as Record<string, GobgpPath[]>;
      return Object.values(table).flatMap((paths) => paths.map(toRibRoute));
    },
    acceptedCount(neighbor, family) {
      const n = JSON.parse(cli(['neighbor', neighbor, '-j'])) as { afi_safis?: { config?: { family?: { afi?: number } }; state?: { accepted?: number } }[] };
      const want = family === 'ipv4-unicast' ? 1 : 2;
      return n.afi_safis?.find((a) => a.config?.family?.afi === want)?.state?.accepted ?? 0;
    },
    control: (command) => cli([...command]),
    output: spawned.output,
    pause: () => void spawned.child.kill('SIGSTOP'),
    resume: () => void spawned.child.kill('SIGCONT'),
    stop: async () => {
      spawned.child.kill('SIGCONT');
      await spawned.stop();
    },
  };
  return daemon;
}

function toRibRoute(path: GobgpPath): RibRoute {
  const attr = (type: number): Record<string, unknown> | undefined => path.attrs.find((a) => a.type === type);
  const asPath = ((attr(2)?.['as_paths'] as { asns: number[] }[] | undefined) ?? []).flatMap((s) => s.asns);
  const nextHop = (attr(3)?.['nexthop'] as string | undefined) ?? (attr(14)?.['nexthop'] as string | undefined);
  const med = attr(4)?.['metric'] as number | undefined;
  const localPref = attr(5)?.['value'] as number | undefined;
  const communities = ((attr(8)?.['communities'] as number[] | undefined) ?? []).map(normalizeCommunity);
  const large = ((attr(32)?.['value'] as { ASN: number; LocalData1: number; LocalData2: number }[] | undefined) ?? []).map(
    (c) => `${c.ASN}:${c.LocalData1}:${c.LocalData2}`,
  );
  return {
    prefix: path.nlri.prefix,
    nextHops: nextHop ? [nextHop] : [],
    asPath,
    ...(med !== undefined ? { med } : {}),
    ...(localPref !== undefined ? { localPref } : {}),
    communities,
    largeCommunities: large,
    stale: path.stale === true,
  };
}
