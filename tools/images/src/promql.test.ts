import { describe, expect, it } from 'vitest';
import { metricNames } from './promql.js';

describe('metricNames', () => {
  const cases: Array<[string, string[]]> = [
    ['metallb_k8s_client_config_stale_bool{job=~"lb.*"} == 1', ['metallb_k8s_client_config_stale_bool']],
    ['metallb_allocator_addresses_in_use_total >= on(pool) metallb_allocator_addresses_total', ['metallb_allocator_addresses_in_use_total', 'metallb_allocator_addresses_total']],
    ['( a_total / on(pool) group_left(x) b_total ) * 100 > 75', ['a_total', 'b_total']],
    ['sum by (peer) (rate(metallb_bgp_updates_total[5m] offset 1h)) > 1e3', ['metallb_bgp_updates_total']],
    ['absent(up{job="x"}) or vector(0) unless on() c', ['up', 'c']],
    ['a == bool a', ['a']],
  ];
  it.each(cases)('%s', (expr, names) => expect(metricNames(expr)).toEqual(names));
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});
