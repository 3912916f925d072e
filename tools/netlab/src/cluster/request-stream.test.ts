import { describe, expect, it } from 'vitest';
import { parseStreamRecords, summarizeStream, type StreamRecord } from './request-stream.js';

const ok = (t: number, node: string, ms = 1): StreamRecord => ({ t, ms, node });
const fail = (t: number, ms: number, error = 'TIMEOUT'): StreamRecord => ({ t, ms, error });

describe('summarizeStream', () => {
  it('finds the longest time between two answers, and who answered from when', () => {
    const s = summarizeStream([ok(0, 'a'), ok(10, 'a'), fail(20, 300), fail(30, 300), ok(40, 'a', 1), ok(250, 'b'), ok(260, 'b')]);
    expect(s).toMatchObject({ sent: 7, ok: 5, failed: 2, byNode: { a: 3, b: 2 }, maxGapMs: 210, gapFrom: 41, gapTo: 251, recovered: true });
    expect(s.switches).toEqual([
      { node: 'a', t: 1 },
      { node: 'b', t: 251 },
    ]);
  });

  it('counts a stream that ends in failures up to its last failure', () => {
    const s = summarizeStream([ok(0, 'a'), fail(10, 500), fail(20, 500)]);
    expect(s).toMatchObject({ maxGapMs: 519, recovered: false, failed: 2 });
  });

  it('judges recovery by the request sent last, not the one that ended last', () => {
    expect(summarizeStream([ok(0, 'a'), fail(10, 900), ok(20, 'a')]).recovered).toBe(true);
  });

  it('counts a non-200 answer as a failure', () => {
    expect(summarizeStream([{ t: 0, ms: 1, node: 'a', error: 'HTTP 503' }])).toMatchObject({ ok: 0, failed: 1, byNode: {} });
  });

  it('summarizes an empty stream', () => {
    expect(summarizeStream([])).toMatchObject({ sent: 0, maxGapMs: 0, recovered: false, switches: [] });
  });
});

describe('parseStreamRecords', () => {
  it('leaves out a line still being written', () => {
    expect(parseStreamRecords('{"t":1,"ms":2,"node":"a"}\n{"t":2,"ms":1,"error":"TIMEOUT"}\n{"t":3,"m')).toHaveLength(2);
  });
});
