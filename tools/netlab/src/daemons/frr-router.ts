import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../environment.js';
import { type Lab, type SpawnedProcess } from '../lab.js';
import { exitedWith, waitFor } from '../wait.js';
import { frrBgpDaemon } from './frr.js';
import { type BgpDaemon } from './types.js';

/** An FRR router that accepts BGP from any address of its LAN and installs ECMP routes in its kernel. */
export interface FrrRouterConfig {
  readonly asn: number;
  readonly routerId: string;
  /** Subnets whose addresses may open a BGP session (FRR `bgp listen range`): the speakers' LAN. */
  readonly listenRanges: readonly string[];
  /** Speakers the router also connects to itself (peers that only listen, such as a passive gobgpd). */
  readonly neighbors?: readonly string[];
  /** 'internal' (iBGP with the router's AS), 'external' (any other AS) or one AS number. */
  readonly peerAsn: number | 'internal' | 'external';
  readonly maximumPaths: number;
  readonly timers?: { readonly keepalive: number; readonly hold: number };
  readonly password?: string;
  readonly bfd?: { readonly receiveMs: number; readonly transmitMs: number; readonly multiplier: number };
  /** Lines added inside `router bgp`. */
  readonly extraConfig?: readonly string[];
}

/** The peer group every speaker of the listen ranges joins. */
export const speakerPeerGroup = 'speakers';

/** bgpd.conf: a peer group for the listen ranges, both unicast families, ECMP for eBGP and iBGP. */
export function frrRouterBgpConfig(config: FrrRouterConfig): string {
  const g = speakerPeerGroup;
  const lines = ['frr defaults traditional', 'hostname router', `router bgp ${config.asn}`, ` bgp router-id ${config.routerId}`];
  lines.push(' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' no bgp network import-check', ' bgp bestpath as-path multipath-relax');
  if (config.timers) lines.push(` timers bgp ${config.timers.keepalive} ${config.timers.hold}`);
  lines.push(` neighbor ${g} peer-group`, ` neighbor ${g} remote-as ${config.peerAsn}`, ` neighbor ${g} capability extended-nexthop`, ` neighbor ${g} timers connect 1`);
  for (const address of config.neighbors ?? []) lines.push(` neighbor ${address} peer-group ${g}`);
  if (config.password) lines.push(` neighbor ${g} password ${config.password}`);
  if (config.bfd) lines.push(` neighbor ${g} bfd profile lab`);
  for (const range of config.listenRanges) lines.push(` bgp listen range ${range} peer-group ${g}`);
  for (const line of config.extraConfig ?? []) lines.push(` ${line}`);
  for (const afi of ['ipv4', 'ipv6']) {
    lines.push(` address-family ${afi} unicast`, `  neighbor ${g} activate`, `  maximum-paths ${config.maximumPaths}`, `  maximum-paths ibgp ${config.maximumPaths}`, ' exit-address-family');
  }
  return lines.join('\n') + '\n';
}

/** bfdd.conf: the profile the peer group uses. */
export function frrRouterBfdConfig(bfd: NonNullable<FrrRouterConfig['bfd']>): string {
  return ['bfd', ' profile lab', `  receive-interval ${bfd.receiveMs}`, `  transmit-interval ${bfd.transmitMs}`, `  detect-multiplier ${bfd.multiplier}`, ''].join('\n');
}

export interface FrrRouter extends BgpDaemon {
  readonly zebra: SpawnedProcess;
  readonly bfdd?: SpawnedProcess;
  /** One vtysh command to one daemon ('bgpd', 'zebra', 'bfdd'). */
  vtysh(command: string, daemon?: 'bgpd' | 'zebra' | 'bfdd'): string;
  /** Gateways of the kernel's route for exactly `prefix` (several when zebra installed ECMP). */
  kernelNextHops(prefix: string): string[];
  /** BFD sessions as bfdd reports them (`show bfd peers json`). */
  bfdPeers(): Array<{ peer: string; status: string }>;
  /**
   * The graceful restart Restart State bit of the neighbour's last OPEN (RFC 4724: it says it has
   * just restarted), or undefined when the neighbour is unknown or sent no graceful restart capability.
   */
  restartStateBit(address: string): boolean | undefined;
}

/**
 * Starts zebra, bgpd (and bfdd) of FRR in `ns` as the frr user, their sockets in the lab's work dir,
 * so BGP routes land in the namespace's kernel table. Resolves once bgpd answers vtysh.
 */
export async function startFrrRouter(lab: Lab, ns: string, config: FrrRouterConfig): Promise<FrrRouter> {
  const exe = (name: string): string => {
    const path = findExecutable(name);
    if (!path) throw new Error(`FRR's '${name}' is not installed (run tools/bootstrap.sh)`);
    return path;
  };
  const dir = join(lab.workDir, `frr-router-${ns}`);
  mkdirSync(dir, { recursive: true });
  // The daemons drop to the frr user: it must reach the directory (0700 from mkdtemp) and own its own.
  chmodSync(lab.workDir, 0o711);
  writeFileSync(join(dir, 'zebra.conf'), 'hostname router\n');
  writeFileSync(join(dir, 'bgpd.conf'), frrRouterBgpConfig(config));
  if (config.bfd) writeFileSync(join(dir, 'bfdd.conf'), frrRouterBfdConfig(config.bfd));
  lab.ns(null, 'chown', ['-R', 'frr:frr', dir]);
  const zserv = join(dir, 'zserv.api');
  const common = (daemon: string): string[] => ['-f', join(dir, `${daemon}.conf`), '-z', zserv, '--vty_socket', dir, '-i', join(dir, `${daemon}.pid`), '-P', '0', '--log', 'stdout'];
  const start = (daemon: string, extra: string[] = []): SpawnedProcess =>
    lab.spawn(ns, exe(daemon), [...common(daemon), ...extra], { logFile: join(lab.workDir, `router-${daemon}.log`) });

  const zebra = start('zebra');
  await waitFor(`zebra's socket in ${ns}`, () => existsSync(zserv), { timeoutMs: 10_000, intervalMs: 20, abortIf: exitedWith(zebra.child, zebra.output) });
  const bfdd = config.bfd ? start('bfdd', ['--bfdctl', join(dir, 'bfdd.sock')]) : undefined;
  const bgpd = start('bgpd', ['-p', '179']);
  const all = [bgpd, ...(bfdd ? [bfdd] : []), zebra];
  const stop = async (): Promise<void> => {
    // bgpd and bfdd first: zebra removes the routes they installed when they go.
    for (const p of all) {
      p.child.kill('SIGCONT');
      await p.stop();
    }
  };
  const daemon = frrBgpDaemon(lab, ns, dir, bgpd, stop);
  const vtysh = (command: string, name: 'bgpd' | 'zebra' | 'bfdd' = 'bgpd'): string =>
    lab.ns(ns, 'vtysh', ['--vty_socket', dir, '-d', name, '-c', command], { timeoutMs: 60_000 }).stdout;
  const anyExited = (): string | undefined => all.map((p) => exitedWith(p.child, p.output)()).find(Boolean);
  await waitFor(`bgpd answering vtysh in ${ns}`, () => vtysh('show bgp summary json').includes('{'), { timeoutMs: 15_000, intervalMs: 50, abortIf: anyExited });
  return {
    ...daemon,
    zebra,
    ...(bfdd ? { bfdd } : {}),
    vtysh,
    kernelNextHops(prefix) {
      const family = prefix.includes(':') ? '-6' : '-4';
      const routes = JSON.parse(lab.ns(ns, 'ip', [family, '-j', 'route', 'show', 'exact', prefix]).stdout || '[]') as Array<{
        gateway?: string;
        nexthops?: Array<{ gateway?: string }>;
      }>;
      return routes.flatMap((r) => (r.nexthops ? r.nexthops.map((n) => n.gateway ?? '') : r.gateway ? [r.gateway] : [])).filter(Boolean);
    },
    bfdPeers() {
      if (!bfdd) return [];
      return JSON.parse(vtysh('show bfd peers json', 'bfdd') || '[]') as Array<{ peer: string; status: string }>;
    },
    restartStateBit(address) {
      const neighbors = JSON.parse(vtysh(`show bgp neighbors ${address} json`) || '{}') as Record<string, { gracefulRestartInfo?: { rBit?: boolean } } | undefined>;
      return neighbors[address]?.gracefulRestartInfo?.rBit;
    },
  };
}
