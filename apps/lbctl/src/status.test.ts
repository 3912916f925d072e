import { describe, expect, it } from 'vitest';
import { clusterStatus } from './status.js';
import { renderStatus } from './render-status.js';
import * as f from '../test/fixtures.js';

describe('clusterStatus', () => {
  const snapshot = f.snapshot(
    f.node('node-a'),
    f.node('node-b'),
    f.speaker('node-a'),
    f.speaker('node-b', false),
    f.pool('v4', ['10.0.0.0/28']),
    f.pool('v6', ['fd00::/120']),
    f.l2('l2'),
    f.service('a/s1', { ips: ['10.0.0.1'] }),
    f.service('a/s2', { ips: ['10.0.0.2'] }),
    f.service('a/s3', { ips: ['fd00::5'], families: ['IPv6'] }),
    f.service('a/s4'),
    f.service('a/c', { type: 'ClusterIP' }),
    f.l2Status('node-a', 'a/s1'),
    f.l2Status('node-a', 'a/s2'),
    f.bgpStatus('node-b', 'a/s3', ['r1']),
    f.sessionState('node-a', 'r1', 'Established', 'Up'),
    f.sessionState('node-b', 'r1', 'Active'),
  );
  const status = clusterStatus(snapshot);

  it('counts used and free addresses per pool and family', () => {
    expect(status.pools).toEqual([
      { pool: 'v4', family: 'IPv4', used: 2, total: '16', free: '14' },
      { pool: 'v6', family: 'IPv6', used: 1, total: '256', free: '255' },
    ]);
    expect(status.services).toEqual({ loadBalancer: 4, assigned: 3, pending: 1 });
  });

  it('reports speakers, layer 2 owners and sessions', () => {
    expect(status.speakers).toEqual([
      { node: 'node-a', alive: true, l2Services: 2, bgpServices: 0 },
      { node: 'node-b', alive: false, l2Services: 0, bgpServices: 1 },
    ]);
    expect(status.sessions.map((s) => `${s.node} ${s.peer} ${s.bgp}`)).toEqual(['node-a r1 Established', 'node-b r1 Active']);
  });

  it('renders one screen (snapshot)', () => {
    expect(renderStatus(status)).toMatchSnapshot();
  });

  it('reports an invalid configuration', () => {
    const bad = clusterStatus(f.snapshot(f.pool('v4', ['10.0.0.9-10.0.0.1'])));
    expect(bad.configuration.valid).toBe(false);
    expect(renderStatus(bad)).toMatch(/INVALID \(1 error\(s\)\)/);
  });
});
