import { describe, expect, it } from 'vitest';
import { renderRuleset } from './firewall.js';

describe('renderRuleset', () => {
  it('only removes the table when no fault is in force', () => {
    expect(renderRuleset({ cuts: [] })).toBe('table inet netlab\ndelete table inet netlab\n');
  });

  it('drops a port both ways for each address family of the peer', () => {
    const text = renderRuleset({ cuts: [{ peer: ['172.30.0.12', 'fd30::12', '10.254.7.12'], port: 7946, protocol: 'udp' }] });
    expect(text).toContain('type filter hook input priority 0; policy accept;');
    for (const rule of [
      'ip saddr { 172.30.0.12, 10.254.7.12 } udp sport 7946 drop',
      'ip saddr { 172.30.0.12, 10.254.7.12 } udp dport 7946 drop',
      'ip6 saddr { fd30::12 } udp dport 7946 drop',
      'ip daddr { 172.30.0.12, 10.254.7.12 } udp dport 7946 drop',
      'ip6 daddr { fd30::12 } udp sport 7946 drop',
    ]) {
      expect(text).toContain(`    ${rule}\n`);
    }
  });

  it("drops the API both ways, or resets it on the way out without dropping the reset coming back", () => {
    const drop = renderRuleset({ cuts: [], api: { addresses: ['10.254.7.1'], port: 6443, mode: 'drop' } });
    expect(drop).toContain('ip saddr { 10.254.7.1 } tcp sport 6443 drop');
    expect(drop).toContain('ip daddr { 10.254.7.1 } tcp dport 6443 drop');
    const reject = renderRuleset({ cuts: [], api: { addresses: ['10.254.7.1'], port: 6443, mode: 'reject' } });
    expect(reject).toContain('ip daddr { 10.254.7.1 } tcp dport 6443 reject with tcp reset');
    expect(reject).not.toContain('saddr');
  });
});
