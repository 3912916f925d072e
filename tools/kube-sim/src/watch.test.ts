import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KubeApi } from './api.js';
import { type WatchSink, WatchHub } from './watch.js';

/** A socket that takes 64 KiB and then wants to drain, recording what it got. */
class SlowSink implements WatchSink {
  readonly chunks: Array<string | Buffer> = [];
  private drain: (() => void) | undefined;
  private sinceDrain = 0;
  private full = false;
  /** Writes made after write() returned false and before the drain: there must be none. */
  writesWhileFull = 0;
  largestWrite = 0;
  ended = false;

  write(chunk: string | Buffer): boolean {
    if (this.full) this.writesWhileFull++;
    this.chunks.push(chunk);
    this.largestWrite = Math.max(this.largestWrite, chunk.length);
    this.sinceDrain += chunk.length;
    this.full = this.sinceDrain >= 64 * 1024;
    return !this.full;
  }
  onDrain(callback: () => void): void {
    this.drain = callback;
  }
  /** The network took everything: the stream drains. */
  release(): void {
    this.sinceDrain = 0;
    this.full = false;
    const d = this.drain;
    this.drain = undefined;
    d?.();
  }
  end(): void {
    this.ended = true;
  }
  lines(): unknown[] {
    const text = this.chunks.map((c) => (typeof c === 'string' ? c : c.toString('utf8'))).join('');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  }
}

describe('watch fan-out of a large object', () => {
  it('shares one Buffer per event among 50 watchers and writes each in slices, waiting for drains', async () => {
    const api = new KubeApi({ historyWindow: 100 });
    const hub = new WatchHub(api, 60_000);
    const target = api.targetFor('v1', 'ConfigMap', 'big', '');
    if (!target) throw new Error('no configmaps');
    await api.create(api.targetFor('v1', 'Namespace', '', '')!, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } });
    const payload = 'x'.repeat(3_000_000);
    await api.create(target, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'big' }, data: { payload } });
    const sinks = Array.from({ length: 50 }, () => new SlowSink());
    for (const sink of sinks) {
      hub.open({ target, query: {}, resourceVersion: undefined, allowBookmarks: false, sendInitialEvents: false, timeoutSeconds: undefined, tableColumns: undefined }, sink);
    }
    await api.update({ ...target, name: 'cm' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'big' }, data: { payload: `${payload}y` } });
    // Let the watchers write until every socket wants to drain, then drain them until all is out.
    for (let round = 0; round < 120; round++) {
      await tick();
      for (const sink of sinks) sink.release();
    }
    const backings = new Set<ArrayBufferLike>();
    for (const sink of sinks) {
      expect(sink.writesWhileFull).toBe(0);
      expect(sink.largestWrite).toBeLessThanOrEqual(64 * 1024);
      for (const chunk of sink.chunks) if (typeof chunk !== 'string') backings.add(chunk.buffer);
      expect(sink.chunks.reduce((n, c) => n + c.length, 0)).toBe(sinks[0]?.chunks.reduce((n, c) => n + c.length, 0));
    }
    const lines = sinks[0]?.lines() as Array<{ type: string; object: { data: { payload: string } } }>;
    expect(lines.map((l) => l.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(lines[1]?.object.data.payload.length).toBe(3_000_001);
    // One line per event for all 50 (Node may pool small allocations, so at most a few more).
    expect(backings.size).toBeLessThanOrEqual(4);
    hub.closeAll();
  });
});
