import { describe, expect, it } from 'vitest';
import { frrRouterBfdConfig, frrRouterBgpConfig } from './frr-router.js';

describe('frrRouterBgpConfig', () => {
  it('accepts every speaker of the LAN and installs ECMP for eBGP and iBGP in both families', () => {
    const text = frrRouterBgpConfig({
      asn: 64512,
      routerId: '172.30.0.3',
      listenRanges: ['172.30.0.0/24', 'fd30::/64'],
      neighbors: ['172.30.0.11'],
      peerAsn: 'internal',
      maximumPaths: 16,
      timers: { keepalive: 3, hold: 9 },
      password: 'secret',
      bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 },
      extraConfig: ['bgp graceful-restart'],
    });
    const lines = text.split('\n');
    for (const line of [
      'router bgp 64512',
      ' timers bgp 3 9',
      ' neighbor speakers remote-as internal',
      ' neighbor speakers password secret',
      ' neighbor 172.30.0.11 peer-group speakers',
      ' neighbor speakers bfd profile lab',
      ' bgp listen range 172.30.0.0/24 peer-group speakers',
      ' bgp listen range fd30::/64 peer-group speakers',
      ' bgp graceful-restart',
      '  maximum-paths ibgp 16',
    ]) {
      expect(lines).toContain(line);
    }
    expect(lines.filter((l) => l === '  neighbor speakers activate')).toHaveLength(2);
  });

  it('writes the BFD profile', () => {
    expect(frrRouterBfdConfig({ receiveMs: 50, transmitMs: 60, multiplier: 4 })).toBe(
      'bfd\n profile lab\n  receive-interval 50\n  transmit-interval 60\n  detect-multiplier 4\n',
    );
  });
});
