import { Lab, requireNetworkLab, startBfdd, type BfdDaemon } from '@lb/netlab';

/**
 * Our namespace and FRR's on one link (single hop), plus a router namespace on a second path for
 * multihop (us - router - FRR). Each test takes its own address pair on the link, so tests never
 * share a session.
 */
export interface BfdLab {
  readonly lab: Lab;
  readonly us: string;
  readonly frr: string;
  readonly router: string;
  /** Our interface on the single-hop link, and FRR's. */
  readonly usLink: string;
  readonly frrLink: string;
  /** Addresses of pair `n` on the single-hop link: ours 10.77.0.n, FRR's 10.77.0.(100+n). */
  pair(n: number): { readonly ours: string; readonly theirs: string };
  pair6(n: number): { readonly ours: string; readonly theirs: string };
  /** The multihop path: ours 10.78.0.1, FRR's 10.79.0.2, one router between. */
  readonly multihop: { readonly ours: string; readonly theirs: string };
  readonly bfdd: BfdDaemon;
}

export const PAIRS = 12;

export function bfdLab(tag: string): BfdLab {
  requireNetworkLab(['bfdd', 'vtysh']);
  const lab = new Lab(tag);
  const us = lab.namespace('us');
  const frr = lab.namespace('frr');
  const router = lab.namespace('rt');
  const link = lab.veth(us, frr, { a: 'tofrr', b: 'tous' });
  const pair = (n: number) => ({ ours: `10.77.0.${n}`, theirs: `10.77.0.${100 + n}` });
  const pair6 = (n: number) => ({ ours: `fd77::${n}`, theirs: `fd77::${(100 + n).toString(16)}` });
  for (let n = 1; n <= PAIRS; n++) {
    lab.address(us, link.a, `${pair(n).ours}/24`);
    lab.address(frr, link.b, `${pair(n).theirs}/24`);
  }
  for (let n = 1; n <= 2; n++) {
    lab.address(us, link.a, `${pair6(n).ours}/64`);
    lab.address(frr, link.b, `${pair6(n).theirs}/64`);
  }
  const left = lab.veth(us, router, { a: 'tort', b: 'tous' });
  const right = lab.veth(router, frr, { a: 'tofrr', b: 'tort' });
  lab.address(us, left.a, '10.78.0.1/24');
  lab.address(router, left.b, '10.78.0.2/24');
  lab.address(router, right.a, '10.79.0.1/24');
  lab.address(frr, right.b, '10.79.0.2/24');
  lab.ns(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  lab.ns(us, 'ip', ['route', 'add', '10.79.0.0/24', 'via', '10.78.0.2']);
  lab.ns(frr, 'ip', ['route', 'add', '10.78.0.0/24', 'via', '10.79.0.1']);
  const bfdd = startBfdd(lab, frr, []);
  return { lab, us, frr, router, usLink: link.a, frrLink: link.b, pair, pair6, multihop: { ours: '10.78.0.1', theirs: '10.79.0.2' }, bfdd };
}
