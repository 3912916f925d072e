import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Lab } from './lab.js';
import { requireNetworkLab } from './environment.js';

describe('Lab', () => {
  let lab: Lab;
  beforeAll(() => {
    requireNetworkLab(['ping']);
    lab = new Lab('nl');
  });
  afterAll(async () => {
    await lab?.cleanup();
  });

  it('connects two namespaces with a veth pair that carries IPv4 and IPv6', () => {
    const a = lab.namespace('a');
    const b = lab.namespace('b');
    const link = lab.veth(a, b);
    lab.address(a, link.a, '10.77.0.1/24');
    lab.address(b, link.b, '10.77.0.2/24');
    lab.address(a, link.a, 'fd77::1/64');
    lab.address(b, link.b, 'fd77::2/64');
    expect(lab.ns(a, 'ping', ['-c', '1', '-W', '2', '10.77.0.2']).stdout).toContain('1 received');
    expect(lab.ns(a, 'ping', ['-c', '1', '-W', '2', 'fd77::2']).stdout).toContain('1 received');
    expect(lab.mac(b, link.b)).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('removes its namespaces and processes on cleanup', async () => {
    const other = new Lab('nc');
    const ns = other.namespace('x');
    const sleeper = other.spawn(ns, 'sleep', ['60']);
    await other.cleanup();
    expect(sleeper.child.exitCode !== null || sleeper.child.signalCode !== null).toBe(true);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
  });
});
