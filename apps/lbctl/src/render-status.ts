// The human form of a ClusterStatus.
import { type ClusterStatus } from './status.js';
import { bar, section, table } from './output.js';

export function renderStatus(s: ClusterStatus): string {
  const out: string[] = [];
  const config = s.configuration.valid ? 'valid' : `INVALID (${s.configuration.errors.length} error(s))`;
  const head = [
    ['configuration', `${config} (namespace ${s.namespace})`],
    ['controller', s.configuration.controller ?? 'no ConfigurationState written (is the controller running?)'],
    ['services', `${s.services.loadBalancer} LoadBalancer: ${s.services.assigned} with addresses, ${s.services.pending} pending`],
  ];
  out.push(section('Status', table(head)));
  if (!s.configuration.valid) out.push(section('Configuration errors', s.configuration.errors.map((e) => `  ${e}`).join('\n')));
  out.push(
    section(
      'Pools',
      table(
        s.pools.map((p) => {
          const total = Number(p.total);
          return [p.pool, p.family, bar(p.used, total), `${p.used} used`, `${p.free} free of ${p.total}`];
        }),
      ),
    ),
  );
  out.push(section('Speakers', table(s.speakers.map((n) => [n.node, n.alive ? 'alive' : 'NOT ALIVE', `layer2 owner of ${n.l2Services}`, `bgp for ${n.bgpServices}`]))));
  out.push(section('BGP sessions', table(s.sessions.map((x) => [x.node, x.peer, x.bgp, x.bfd ? `BFD ${x.bfd}` : '', x.vrf ? `vrf ${x.vrf}` : '']))));
  return out.filter(Boolean).join('\n');
}
