// The human form of an Explanation: a short report, most important first.
import { type Explanation } from './explain.js';
import { section, table } from './output.js';

const MARK = { chosen: '✓', holds: '✓', could: '·', refused: '✗', skipped: '-' } as const;

export function renderExplanation(e: Explanation): string {
  const out: string[] = [`Service ${e.service}: ${e.summary}\n`];
  if (e.asks) {
    const a = e.asks;
    const rows: string[][] = [
      ['type', a.type],
      ['class', a.loadBalancerClass ?? (a.className ? `(default class ${a.className})` : '<none>')],
      ['families', `${a.ipFamilies.join(', ') || '(cluster default)'} ${a.ipFamilyPolicy}`],
      ['ports', a.ports.join(', ') || '<none>'],
      ['traffic', `externalTrafficPolicy ${a.externalTrafficPolicy}`],
    ];
    if (a.requestedPool) rows.push(['pool', `${a.requestedPool} (asked)`]);
    if (a.requestedIPs.length > 0) rows.push(['addresses', `${a.requestedIPs.join(', ')} (asked)`]);
    if (a.sharingKey) rows.push(['sharing key', a.sharingKey]);
    for (const [k, v] of Object.entries(a.annotations)) rows.push(['annotation', `${k}=${v}`]);
    for (const w of a.warnings) rows.push(['warning', w]);
    out.push(section('Asks', table(rows)));
  }
  const has: string[][] = [['addresses', e.addresses.join(', ') || '<pending>']];
  if (e.pool) has.push(['pool', e.pool]);
  for (const c of e.controller) has.push(['condition', c]);
  out.push(section('Has', table(has)));
  if (!e.configuration.valid) out.push(section('Configuration (invalid)', e.configuration.errors.map((x) => `  ${x}`).join('\n')));
  out.push(section('Pools', table(e.pools.map((p) => [MARK[p.verdict], p.pool, p.families.join('+'), p.kind ? `${p.kind}: ${p.reason}` : p.reason]))));
  out.push(section('Advertisements', table(e.announcements.map((a) => [a.selectsService ? '✓' : '✗', a.protocol, a.source, a.selectsService ? 'covers the Service' : 'its serviceSelectors do not select the Service']))));
  for (const group of e.nodes) {
    const rows = group.verdicts.map((v) => [
      v.refusals.length === 0 ? '✓' : '✗',
      v.node,
      v.refusals.length === 0 ? `may announce${v.peers && v.peers.length > 0 ? ` to ${v.peers.join(', ')}` : ''}` : v.refusals.map((r) => r.message).join('; '),
    ]);
    out.push(section(`Nodes (${group.protocol})`, table(rows)));
  }
  const announcers = e.announcers.map((a) => [
    a.node,
    a.protocol,
    a.protocol === 'layer2' ? (a.interfaces && a.interfaces.length > 0 ? `interfaces ${a.interfaces.join(', ')}` : 'all interfaces') : (a.peers ?? []).map((p) => `${p.peer} ${p.bgp}${p.bfd ? ` (BFD ${p.bfd})` : ''}`).join(', ') || 'no peer',
  ]);
  if (e.addresses.length > 0) out.push(section('Announced by', announcers.length > 0 ? table(announcers) : '  nobody reports announcing it (no ServiceL2Status or ServiceBGPStatus)'));
  out.push(section('Events', table(e.events.map((ev) => [ev.last, ev.type, ev.reason, `${ev.message}${ev.count > 1 ? ` (x${ev.count})` : ''}`]))));
  return out.filter(Boolean).join('\n');
}
