import { describe, expect, it } from 'vitest';
import { seconds, summaryTable, type SceneOutcome } from '../demo/summary.js';

const ok: SceneOutcome = { seed: '000', scene: 'first-pool', addresses: ['10.220.2.214'], mode: 'layer 2', announcedBy: ['lb-node-2'], reachable: 'lb-node-2' };

describe("the network demo's summary table", () => {
  const cases: Array<{ name: string; outcomes: SceneOutcome[]; lines: string[] }> = [
    {
      name: 'a scene as promised, columns aligned under the header',
      outcomes: [ok],
      lines: ['seed  scene       address       mode     announced by  reachable  failover gap', '000   first-pool  10.220.2.214  layer 2  lb-node-2     lb-node-2'],
    },
    {
      name: 'a failed scene says NO and why; a failover shows its gap',
      outcomes: [
        { seed: '002', scene: 'BGP', addresses: [], mode: 'BGP', announcedBy: [], reachable: '', failure: 'timed out' },
        { ...ok, seed: '004', scene: 'L2 failover', announcedBy: ['lb-node-1'], reachable: 'lb-node-2 → lb-node-1', gapMs: 212.4 },
      ],
      lines: [
        'seed  scene        address       mode     announced by  reachable              failover gap',
        '002   BGP          -             BGP      -             NO: timed out',
        '004   L2 failover  10.220.2.214  layer 2  lb-node-1     lb-node-2 → lb-node-1  212 ms',
      ],
    },
  ];
  let ran = 0;
  for (const c of cases) {
    it(c.name, () => {
      ran++;
      expect(summaryTable(c.outcomes).split('\n')).toEqual(c.lines);
    });
  }
  it('ran every case', () => expect(ran).toBe(cases.length));
  it('prints seconds with one decimal', () => expect(seconds(12_345)).toBe('12.3 s'));
});
