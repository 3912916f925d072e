import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../environment.js';
import { type Lab } from '../lab.js';
import { families, neighborStateFromRfcName } from './common.js';
import { type BgpDaemon, type BgpDaemonConfig, type BgpFamily, type RibRoute } from './types.js';

export interface BirdConfig extends BgpDaemonConfig {
  /** Static routes BIRD originates and exports to every neighbor (blackhole routes, next hop self). */
  readonly staticRoutes?: { readonly ipv4?: readonly string[]; readonly ipv6?: readonly string[] };
  /** Start the BGP protocols disabled; `control(['enable', 'n0'])` starts neighbor 0. */
  readonly disabled?: boolean;
}

/** bird.conf for a config; neighbor i is protocol `n<i>`. */
export function birdConfig(config: BirdConfig): string {
  // `direct` puts connected subnets in the tables, so iBGP next hops resolve recursively.
  const lines = [`router id ${config.routerId};`, 'protocol device {}', 'protocol direct { ipv4; ipv6; }'];
  const statics = config.staticRoutes ?? {};
  if (statics.ipv4?.length) lines.push('protocol static s4 {', '  ipv4;', ...statics.ipv4.map((p) => `  route ${p} blackhole;`), '}');
  if (statics.ipv6?.length) lines.push('protocol static s6 {', '  ipv6;', ...statics.ipv6.map((p) => `  route ${p} blackhole;`), '}');
  config.neighbors.forEach((n, i) => {
    lines.push(`protocol bgp n${i} {`, `  local as ${config.asn};`, `  neighbor ${n.address}${n.port !== undefined ? ` port ${n.port}` : ''} as ${n.asn};`);
    lines.push(`  connect retry time ${n.connectRetry ?? 1};`, '  connect delay time 0;', '  error wait time 1, 10;');
    if (config.disabled) lines.push('  disabled on;');
    if (config.port !== undefined) lines.push(`  local port ${config.port};`);
    if (n.holdTime !== undefined) lines.push(`  hold time ${n.holdTime};`);
    if (n.password) lines.push(`  password "${n.password}";`);
    if (n.passive) lines.push('  passive on;');
    if (n.multihopTtl !== undefined) lines.push(`  multihop ${n.multihopTtl};`);
    if (n.gracefulRestart) lines.push('  graceful restart on;');
    if (n.ttlSecurity) lines.push('  ttl security on;');
    for (const family of families(n.families)) {
      const v4 = family === 'ipv4-unicast';
      const exportRule = (v4 ? statics.ipv4?.length : statics.ipv6?.length) ? 'export all;' : 'export none;';
      // IPv4 routes over an IPv6 session need RFC 8950 next hops; BIRD calls it extended next hop.
      const extended = v4 && n.address.includes(':') ? ' extended next hop on;' : '';
      const nextHop = !v4 && !n.address.includes(':') ? ' next hop address ::ffff:' + config.routerId + ';' : '';
      lines.push(`  ${v4 ? 'ipv4' : 'ipv6'} { import all; ${exportRule}${extended}${nextHop} };`);
    }
    lines.push('}');
  });
  return lines.join('\n') + '\n';
}

/** Starts BIRD 2 in the foreground in `ns`, with its control socket in the lab dir. */
export function startBird(lab: Lab, ns: string, config: BirdConfig): BgpDaemon {
  const exe = findExecutable('bird');
  if (!exe) throw new Error("'bird' (BIRD 2) is not installed (run tools/bootstrap.sh)");
  const base = join(lab.workDir, `bird-${ns}`);
  writeFileSync(`${base}.conf`, birdConfig(config));
  const spawned = lab.spawn(ns, exe, ['-f', '-c', `${base}.conf`, '-s', `${base}.ctl`, '-P', `${base}.pid`]);
  const birdc = (command: string): string => lab.ns(ns, 'birdc', ['-s', `${base}.ctl`, ...command.split(' ')], { timeoutMs: 60_000 }).stdout;
  const protocolOf = (address: string): string => {
    const index = config.neighbors.findIndex((n) => n.address === address);
    if (index < 0) throw new Error(`bird: no neighbor ${address} configured`);
    return `n${index}`;
  };
  const table = (family: BgpFamily): string => (family === 'ipv4-unicast' ? 'master4' : 'master6');
  return {
    kind: 'bird',
    ns,
    process: spawned,
    neighborState(address) {
      try {
        const text = birdc(`show protocols all ${protocolOf(address)}`);
        const match = /BGP state:\s+(\w+)/.exec(text);
        return neighborStateFromRfcName(match?.[1]);
      } catch {
        return 'idle';
      }
    },
    routes(family) {
      return parseRoutes(birdc(`show route all table ${table(family)}`)).filter((r) => r.prefix.includes(':') === (family === 'ipv6-unicast'));
    },
    acceptedCount(address, family) {
      const text = birdc(`show route table ${table(family)} protocol ${protocolOf(address)} count`);
      return Number(/(\d+) of \d+ routes/.exec(text)?.[1] ?? 0);
    },
    control: (command) => birdc(command.join(' ')),
    output: spawned.output,
    pause: () => void spawned.child.kill('SIGSTOP'),
    resume: () => void spawned.child.kill('SIGCONT'),
    stop: async () => {
      spawned.child.kill('SIGCONT');
      await spawned.stop();
    },
  };
}

/** Routes from `show route all` text: a header line per route, then tab-indented attributes. */
export function parseRoutes(text: string): RibRoute[] {
  const routes: RibRoute[] = [];
  let current: { prefix: string; lines: string[]; header: string } | undefined;
  const finish = (): void => {
    // Only BGP routes: the `direct` protocol's connected subnets share the tables.
    if (!current || !current.lines.some((l) => l.startsWith('BGP.'))) {
      current = undefined;
      return;
    }
    const attr = (name: string): string | undefined => current?.lines.find((l) => l.startsWith(`BGP.${name}:`))?.slice(name.length + 5).trim();
    const med = attr('med');
    const localPref = attr('local_pref');
    const communities = [...(attr('community') ?? '').matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    const large = [...(attr('large_community') ?? '').matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
    const nextHop = attr('next_hop');
    routes.push({
      prefix: current.prefix,
      nextHops: nextHop ? nextHop.split(/\s+/) : [],
      asPath: (attr('as_path') ?? '').split(/\s+/).filter(Boolean).map(Number),
      ...(med !== undefined ? { med: Number(med) } : {}),
      ...(localPref !== undefined ? { localPref: Number(localPref) } : {}),
      communities,
      largeCommunities: large,
      stale: /stale/i.test(current.header) || current.lines.some((l) => /stale/i.test(l)),
    });
    current = undefined;
  };
  let lastPrefix = '';
  for (const line of text.split('\n')) {
    const header = /^(\S+\/\d+)?\s+\w+ \[/.exec(line);
    if (header && !line.startsWith('\t')) {
      finish();
      lastPrefix = header[1] ?? lastPrefix;
      current = { prefix: lastPrefix, lines: [], header: line };
    } else if (current && line.startsWith('\t')) {
      current.lines.push(line.trim());
    }
  }
  finish();
  return routes;
}
