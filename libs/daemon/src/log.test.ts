import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

describe('createLogger', () => {
  it('writes JSON lines with the level as a word, base fields and the given fields, above the level only', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } });
    const log = createLogger('info', { component: 'test' }, sink);
    log.debug('hidden');
    log.info('shown', { node: 'n1' });
    log.error('plain');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 'info', component: 'test', node: 'n1', msg: 'shown' });
    expect(typeof parsed[0]?.['time']).toBe('string');
    expect(parsed[1]).toMatchObject({ level: 'error', msg: 'plain' });
  });
});
