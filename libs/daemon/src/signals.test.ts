import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { stopOnSignals } from './signals.js';
import { Writable } from 'node:stream';

function harness(stop: () => Promise<void>) {
  const handlers = new Map<string, () => void>();
  const exits: number[] = [];
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } });
  stopOnSignals({ stop }, createLogger('info', {}, sink), { on: (signal, handler) => handlers.set(signal, handler), exit: (code) => exits.push(code) });
  return { handlers, exits, lines };
}

describe('stopOnSignals', () => {
  it('stops once and exits 0 on SIGTERM, whatever follows', async () => {
    let stops = 0;
    const { handlers, exits } = harness(async () => { stops += 1; });
    expect([...handlers.keys()]).toEqual(['SIGTERM', 'SIGINT']);
    handlers.get('SIGTERM')?.();
    handlers.get('SIGINT')?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 and logs why when stopping fails', async () => {
    const { handlers, exits, lines } = harness(() => Promise.reject(new Error('lease not released')));
    handlers.get('SIGINT')?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1]);
    expect(lines.join('')).toMatch(/"msg":"shutdown failed".*lease not released|lease not released.*"msg":"shutdown failed"/);
  });
});
