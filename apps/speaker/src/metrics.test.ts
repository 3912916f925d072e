import { Layer2Counters } from '@lb/arp';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { view } from '../test/fixtures.js';
import { SpeakerMetrics } from './metrics.js';
import { type MembershipCounters } from './membership/types.js';

function counters(): MembershipCounters {
  return { sent: 10, sentBytes: 700, received: 9, receivedBytes: 630, unaddressed: 0, dropped: { 'bad-tag': 2, replayed: 1 }, declared: 1, inconclusive: 0, suspicionsLifted: 3, probes: 4, stalls: 3, selfChecks: 2, selfChecksPassed: 1, fences: 0, nameConflicts: 0 };
}

describe('SpeakerMetrics', () => {
  it('exposes MetalLB’s speaker metrics and the membership’s', async () => {
    const registry = new Registry();
    const layer2 = new Layer2Counters();
    layer2.recordRequest('10.0.0.1');
    layer2.recordSent({ ip: '10.0.0.1', purpose: 'response' });
    layer2.recordSent({ ip: '10.0.0.1', purpose: 'gratuitous' });
    layer2.recordSent({ ip: '10.0.0.1', purpose: 'gratuitous' });
    const metrics = new SpeakerMetrics(registry, 'node-a', {
      layer2: () => layer2.snapshot(),
      membership: () => ({ view: view('node-a', ['node-a', 'node-b', 'node-c'], { heldDown: ['node-c'] }), counters: counters(), healthScore: 1 }),
    });
    metrics.setAnnounced({ node: 'node-a', announcements: [{ ip: '10.0.0.1', interfaces: [], service: 'default/web' }], services: new Map() });
    metrics.recordChanges([
      { kind: 'dead', member: 'node-d', declaredHere: true, silentForMs: 240 },
      { kind: 'dead', member: 'node-e', declaredHere: false },
      { kind: 'left', member: 'node-f' },
      { kind: 'fenced', reason: 'stalled', stalledMs: 400 },
    ]);
    const text = (await registry.metrics()) + [...metrics.perAddressFamilies()].join('');
    const expected = [
      'metallb_speaker_announced{service="default/web",protocol="layer2",node="node-a",ip="10.0.0.1"} 1',
      'metallb_layer2_requests_received{ip="10.0.0.1"} 1',
      'metallb_layer2_responses_sent{ip="10.0.0.1"} 1',
      'metallb_layer2_gratuitous_sent{ip="10.0.0.1"} 2',
      'lb_speaker_members_alive 3',
      'lb_speaker_members_eligible 2',
      'lb_speaker_membership_withdrawn 0',
      'lb_speaker_membership_health_score 1',
      'lb_speaker_membership_datagrams_total{direction="sent"} 10',
      'lb_speaker_membership_dropped_total{reason="bad-tag"} 2',
      'lb_speaker_failovers_total{kind="dead"} 2',
      'lb_speaker_failovers_total{kind="left"} 1',
      'lb_speaker_detection_seconds_bucket{le="0.25"} 1',
      'lb_speaker_detection_seconds_bucket{le="0.2"} 0',
      'lb_speaker_membership_fences_total{reason="stalled"} 1',
      'lb_speaker_membership_self_checks_total{outcome="passed"} 1',
      'lb_speaker_membership_self_checks_total{outcome="fenced"} 1',
    ];
    for (const line of expected) expect(text).toContain(line);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('drops the announced series of an address no longer announced', async () => {
    const registry = new Registry();
    const metrics = new SpeakerMetrics(registry, 'n');
    metrics.setAnnounced({ node: 'n', announcements: [{ ip: '10.0.0.1', interfaces: [], service: 'a/b' }], services: new Map() });
    metrics.setAnnounced({ node: 'n', announcements: [], services: new Map() });
    const text = (await registry.metrics()) + [...metrics.perAddressFamilies()].join('');
    expect(text).not.toContain('ip="10.0.0.1"');
    expect(text).toContain('# TYPE metallb_speaker_announced gauge\n');
  });

  it('renders the per-address families as a registry would, in chunks, with label values escaped', async () => {
    const layer2 = new Layer2Counters();
    const announcements = Array.from({ length: 1234 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}`, interfaces: [], service: i === 0 ? 'ns/odd"name\\' : `ns/svc-${i}` }));
    for (const a of announcements) layer2.recordRequest(a.ip);
    // The reference: the same families in a prom-client registry.
    const reference = new Registry();
    const announced = new Gauge({ name: 'metallb_speaker_announced', help: 'x', labelNames: ['service', 'protocol', 'node', 'ip'], registers: [reference] });
    const received = new Counter({ name: 'metallb_layer2_requests_received', help: 'x', labelNames: ['ip'], registers: [reference] });
    for (const a of announcements) {
      announced.set({ service: a.service, protocol: 'layer2', node: 'node "a"', ip: a.ip }, 1);
      received.inc({ ip: a.ip }, 1);
    }
    const series = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort();
    const metrics = new SpeakerMetrics(new Registry(), 'node "a"', { layer2: () => layer2.snapshot() });
    metrics.setAnnounced({ node: 'node "a"', announcements, services: new Map() });
    const chunks = [...metrics.perAddressFamilies()];
    expect(chunks.length).toBeGreaterThan(4 * 3);
    const ours = series(chunks.join('')).filter((l) => l.startsWith('metallb_speaker_announced') || l.startsWith('metallb_layer2_requests_received'));
    expect(ours).toEqual(series(await reference.metrics()));
    expect(ours).toContain('metallb_speaker_announced{service="ns/odd\\"name\\\\",protocol="layer2",node="node \\"a\\"",ip="10.1.0.0"} 1');
  });
});
