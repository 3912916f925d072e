import { describe, expect, it } from 'vitest';
import { lanLayer2, service } from '../../test/fixtures.js';
import { classLookup, servicePool, serviceVerdict } from './services.js';

const pools = lanLayer2('172.16.16.150-172.16.16.200');
const narrower = lanLayer2('172.16.16.190-172.16.16.200');

describe('verdicts remembered per Service object and configuration', () => {
  it('the same object under the same configuration is judged once; a new object, configuration or --lb-class is judged again', () => {
    const web = service('web', { ips: ['172.16.16.151'] });
    const first = serviceVerdict(web, pools, classLookup(pools));
    expect(first.ok).toBe(true);
    expect(serviceVerdict(web, pools, classLookup(pools))).toBe(first);
    expect(servicePool(web, pools, classLookup(pools))).toBe(servicePool(web, pools, classLookup(pools)));
    // What an informer does on a change: a new object.
    const changed = service('web', { ips: ['172.16.16.152'] });
    expect(serviceVerdict(changed, pools, classLookup(pools))).not.toBe(first);
    expect(serviceVerdict(web, narrower, classLookup(narrower))).toMatchObject({ ok: false, reason: 'ipNotAllowed' });
    expect(serviceVerdict(web, pools, classLookup(pools), { lbClass: 'other' })).toMatchObject({ ok: false, reason: 'otherClass' });
    expect(serviceVerdict(web, pools, classLookup(pools))).toMatchObject({ ok: true });
  });
});
