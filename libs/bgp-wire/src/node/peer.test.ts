import { describe, expect, it } from 'vitest';
import { normalize } from './listener.js';
import { BgpPeer, BgpPeerConfigError } from './peer.js';
import { loadSockopt } from './sockopt.js';

describe('BgpPeer options', () => {
  it('rejects bad options with every problem at once', () => {
    let error: unknown;
    try {
      new BgpPeer({ localAs: 64512, peerAs: 0, routerId: '10.0.0.1', peerAddress: 'router', peerPort: 70000, ttl: 0, password: 'x'.repeat(81) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BgpPeerConfigError);
    expect((error as BgpPeerConfigError).issues).toEqual([
      'peerAs: 0 is not an AS number (1..4294967295)',
      'peerAddress: "router" is not an IP address',
      'peerPort: 70000 is not a port number',
      'ttl: 0 must be an integer from 1 to 255',
      'password: must be 1 to 80 bytes (TCP_MD5SIG_MAXKEYLEN)',
    ]);
  });

  it('has the native addon in this workspace (MD5 and TTL tests depend on it)', () => {
    const loaded = loadSockopt();
    expect('error' in loaded ? loaded.error : 'loaded').toBe('loaded');
  });

  it('matches peers whatever way their address is written', () => {
    expect(normalize('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalize('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(normalize('10.0.0.1')).toBe('10.0.0.1');
  });
});
