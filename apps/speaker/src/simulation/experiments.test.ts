// The benchmark's measurements at 10 members, checked against the budget: a few seconds of real
// time. (100 and 1,000 members: `npx nx run speaker:bench`.)
import { summarize } from '@lb/bench-kit';
import { describe, expect, it } from 'vitest';
import { falsePositivesUnderLoss, falsePositivesUnderStalls, killTrials, measureTraffic, stallTolerance, startCluster } from './experiments.js';

describe('membership at 10 members', () => {
  it('steady state: 30 datagrams/s each way per member, about 2 KB/s', () => {
    const traffic = measureTraffic(startCluster({ size: 10, seed: 11 }), 10_000);
    expect(summarize(traffic.sentPackets).max).toBeLessThanOrEqual(50);
    expect(summarize(traffic.receivedPackets).max).toBeLessThanOrEqual(50);
    expect(summarize(traffic.sentBytes).median).toBeLessThan(3_000);
  });

  it('death: declared in 200–320 ms, known to all within 400 ms, no false positive, a burst of a few datagrams', () => {
    const detection = killTrials(startCluster({ size: 10, seed: 12 }), 10, 12);
    const first = summarize(detection.firstDeclared);
    const all = summarize(detection.allKnow);
    expect(detection.firstDeclared).toHaveLength(10);
    expect(first.min).toBeGreaterThanOrEqual(200);
    expect(first.max).toBeLessThanOrEqual(320);
    expect(all.max).toBeLessThanOrEqual(400);
    expect(detection.falsePositives).toBe(0);
    expect(Math.max(...detection.burstSent)).toBeLessThan(60);
  });

  it('no false positive under 5% loss for 60 s, nor with members stalling up to 150 ms twice a second', () => {
    expect(falsePositivesUnderLoss(startCluster({ size: 10, seed: 13 }), 0.05, 60_000)).toBe(0);
    const stalls = falsePositivesUnderStalls(startCluster({ size: 10, seed: 14 }), 150, 500, 30_000, 14);
    expect(stalls.stalls).toBeGreaterThan(400);
    expect(stalls.falsePositives).toBe(0);
  });

  it('a single stall of 200 ms is tolerated', () => {
    expect(stallTolerance({ size: 10, seed: 15 }, [100, 150, 200])).toBe(200);
  });
});
