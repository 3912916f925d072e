import { describe, expect, it } from 'vitest';
import { lanLayer2, node, service, slice, view } from '../../test/fixtures.js';
import { canonicalJson, expectedMembers, internalIP, joinHostPort, Layer2Composer, splitHostPort, statusActions, type ApiSnapshot } from './compose.js';

const l2 = lanLayer2('172.16.16.150-172.16.16.200', 'interfaces: [eth0]');
const nodes = [node('n1'), node('n2'), node('n3')];

function api(services: ApiSnapshot['services'], slices: ApiSnapshot['endpointSlices']): ApiSnapshot {
  return { config: l2, services, endpointSlices: slices, nodes };
}

/** Which node announces each address, asking every node's composer with the same inputs. */
function owners(snapshot: ApiSnapshot, alive: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const self of alive) {
    const composer = new Layer2Composer({ node: self });
    composer.setApi(snapshot);
    for (const a of composer.decide(view(self, alive, { known: ['n1', 'n2', 'n3'] })).announce) out.set(a.ip, [...(out.get(a.ip) ?? []), self]);
  }
  return out;
}

describe('Layer2Composer', () => {
  const web = service('web', { ips: ['172.16.16.150'] });
  const snapshot = api([web], [slice('web', ['n1', 'n2', 'n3'])]);

  it('has exactly one node announce each address, on the advertisement\'s interfaces, with its status and event', () => {
    const byIp = owners(snapshot, ['n1', 'n2', 'n3']);
    expect([...byIp.keys()]).toEqual(['172.16.16.150']);
    expect(byIp.get('172.16.16.150')).toHaveLength(1);
    const owner = byIp.get('172.16.16.150')![0]!;
    const composer = new Layer2Composer({ node: owner });
    composer.setApi(snapshot);
    const actions = composer.decide(view(owner, ['n1', 'n2', 'n3']));
    expect(actions.announce).toEqual([{ ip: '172.16.16.150', interfaces: ['eth0'], service: 'default/web' }]);
    expect(actions.events.map((e) => e.message)).toEqual([`announcing from node "${owner}" with protocol "layer2"`]);
    expect(actions.statuses.get('default/web')?.status).toEqual({ node: owner, serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }] });
    // Deciding again with the same inputs changes nothing.
    const again = composer.decide(view(owner, ['n1', 'n2', 'n3']));
    expect([again.announce, again.withdraw, again.events]).toEqual([[], [], []]);
  });

  it('moves the address when its owner dies, and only the owner withdraws', () => {
    const owner = owners(snapshot, ['n1', 'n2', 'n3']).get('172.16.16.150')![0]!;
    const survivors = ['n1', 'n2', 'n3'].filter((n) => n !== owner);
    const after = owners(snapshot, survivors);
    expect(after.get('172.16.16.150')).toHaveLength(1);
    expect(after.get('172.16.16.150')![0]).not.toBe(owner);

    const composer = new Layer2Composer({ node: owner });
    composer.setApi(snapshot);
    composer.decide(view(owner, ['n1', 'n2', 'n3']));
    expect(composer.decide(view(owner, ['n1', 'n2', 'n3'], { withdrawn: true })).withdraw).toEqual(['172.16.16.150']);
  });

  it('announces nothing without a configuration, without a ready endpoint, or with ETP Local away from the endpoint', () => {
    expect(owners({ ...api([web], [slice('web', ['n1'])]), config: undefined }, ['n1', 'n2', 'n3']).size).toBe(0);
    expect(owners(api([web], []), ['n1', 'n2', 'n3']).size).toBe(0);
    const local = service('local', { ips: ['172.16.16.151'], local: true });
    expect(owners(api([local], [slice('local', ['n3'])]), ['n1', 'n2', 'n3']).get('172.16.16.151')).toEqual(['n3']);
    // The endpoint's node dies: nobody else may announce it.
    expect(owners(api([local], [slice('local', ['n3'])]), ['n1', 'n2']).size).toBe(0);
  });

  it('withdrawAll takes back everything announced', () => {
    const owner = owners(snapshot, ['n1', 'n2', 'n3']).get('172.16.16.150')![0]!;
    const composer = new Layer2Composer({ node: owner });
    composer.setApi(snapshot);
    composer.decide(view(owner, ['n1', 'n2', 'n3']));
    expect(composer.withdrawAll().withdraw).toEqual(['172.16.16.150']);
    expect(composer.current.announcements).toEqual([]);
  });
});

describe('expectedMembers', () => {
  const withIp = (name: string, ip: string) => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: 'fd00::1' }, { type: 'InternalIP', address: ip }] } });
  it('takes the speaker pods when there are any, else every Node\'s InternalIP', () => {
    const pods = [
      { metadata: { name: 's-1' }, spec: { nodeName: 'n1' }, status: { podIP: '10.0.0.1' } },
      { metadata: { name: 's-2' }, spec: { nodeName: 'n2' }, status: { podIPs: [{ ip: 'fd00::2' }] } },
      { metadata: { name: 'pending' }, spec: { nodeName: 'n3' }, status: {} },
    ];
    expect(expectedMembers(pods, [withIp('n1', '10.9.9.9')], 7946)).toEqual([
      { name: 'n1', address: '10.0.0.1:7946' },
      { name: 'n2', address: '[fd00::2]:7946' },
    ]);
    expect(expectedMembers([], [withIp('n2', '10.0.0.2'), withIp('n1', '10.0.0.1')], 7000)).toEqual([
      { name: 'n1', address: '10.0.0.1:7000' },
      { name: 'n2', address: '10.0.0.2:7000' },
    ]);
    expect(internalIP(withIp('n1', '10.0.0.1'))).toBe('10.0.0.1');
  });

  it('round-trips host:port notation', () => {
    for (const [host, port] of [['10.0.0.1', 7946], ['fd00::1', 1]] as const) expect(splitHostPort(joinHostPort(host, port))).toEqual({ host, port });
    expect(splitHostPort('nonsense')).toBeUndefined();
  });
});

describe('statusActions', () => {
  const desired = (svc: string, iface?: string) => {
    const [namespace, name] = svc.split('/') as [string, string];
    return { service: svc, labels: {}, status: { node: 'n1', serviceName: name, serviceNamespace: namespace, ...(iface ? { interfaces: [{ name: iface }] } : {}) } };
  };
  it('creates what is missing, updates what differs, deletes strays and duplicates', () => {
    const want = new Map([['a/x', desired('a/x')], ['a/y', desired('a/y', 'eth0')], ['a/z', desired('a/z')]]);
    const existing = [
      { name: 'l2-1', service: 'a/x', status: desired('a/x').status },
      { name: 'l2-2', service: 'a/x', status: desired('a/x').status },
      { name: 'l2-3', service: 'a/y', status: desired('a/y').status },
      { name: 'l2-4', service: 'a/gone', status: {} },
      { name: 'l2-5', service: undefined, status: {} },
    ];
    const actions = statusActions(existing, want);
    expect(actions.create.map((c) => c.service)).toEqual(['a/z']);
    expect(actions.update.map((u) => [u.name, u.desired.service])).toEqual([['l2-3', 'a/y']]);
    expect(actions.delete).toEqual(['l2-2', 'l2-4', 'l2-5']);
  });

  it('finds a status equal whatever the order of its keys, as the API server lists it back', () => {
    const bgp = { service: 'a/x', labels: {}, status: { node: 'n1', serviceName: 'x', serviceNamespace: 'a', peers: ['p1', 'p2'] } };
    const cases = [
      { listed: { peers: ['p1', 'p2'], serviceNamespace: 'a', serviceName: 'x', node: 'n1' }, update: false },
      { listed: { node: 'n1', peers: ['p2', 'p1'], serviceName: 'x', serviceNamespace: 'a' }, update: true },
      { listed: { node: 'n1', peers: ['p1'], serviceName: 'x', serviceNamespace: 'a' }, update: true },
    ];
    for (const { listed, update } of cases) {
      const byStatus = statusActions([{ name: 'bgp-1', service: 'a/x', status: listed }], new Map([['a/x', bgp]]));
      const byJson = statusActions([{ name: 'bgp-1', service: 'a/x', statusJson: canonicalJson(listed) }], new Map([['a/x', bgp]]));
      expect(byStatus.update.length, JSON.stringify(listed)).toBe(update ? 1 : 0);
      expect(byJson.update.length).toBe(update ? 1 : 0);
    }
    expect(cases.length).toBeGreaterThan(0);
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe('{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}');
  });
});
