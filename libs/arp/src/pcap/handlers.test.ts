import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ethernetFrame } from '../frame.js';
import { PcapAnnouncer } from './announcer.js';
import { type Capture, type CaptureOptions } from './capture.js';
import { IFF_BROADCAST, IFF_UP, type LinkInfo } from './discovery.js';
import { ArpFastPath, type FastPathAddon } from './fastpath.js';
import { Layer2 } from './supervisor.js';

// Every handler the adapters register with libpcap, the fast path addon and the worker's IPC
// channel, fed hostile input: nothing may escape (an exception there ends the process, and vitest
// fails the run on any uncaught exception).

const fakeCap = vi.hoisted(() => ({ handles: [] as Array<{ emit: (event: string, ...args: unknown[]) => boolean; buffer: Buffer }> }));
vi.mock('./cap-binding.js', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  class Cap extends Emitter {
    buffer: Buffer = Buffer.alloc(0);
    open(_device: string, _filter: string, _size: number, buffer: Buffer): string {
      this.buffer = buffer;
      fakeCap.handles.push(this);
      return 'ETHERNET';
    }
    send(): void {}
    close(): boolean {
      return true;
    }
  }
  return { loadCap: () => ({ Cap }) };
});

const ETH0: LinkInfo = { name: 'eth0', index: 2, mac: '02:00:00:00:00:0a', flags: IFF_UP | IFF_BROADCAST, type: 1, enslaved: false };
const request = ethernetFrame.encode({
  kind: 'arp',
  eth: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:0b' },
  arp: { op: 1, sha: '02:00:00:00:00:0b', spa: '10.0.0.2', tha: '00:00:00:00:00:00', tpa: '10.0.0.100' },
});
const hostileFrames = fc.sample(fc.uint8Array({ maxLength: 120 }), { numRuns: 300, seed: 12 });

describe('PcapAnnouncer frame handler', () => {
  it('answers what it should and survives garbage, lying lengths and failing sends', () => {
    let onFrame: CaptureOptions['onFrame'] | undefined;
    let sends = 0;
    let failSends = false;
    const openCapture = (iface: string, options: CaptureOptions): Capture => {
      onFrame = options.onFrame;
      return {
        interface: iface,
        send: () => {
          if (failSends) throw new Error('ENETDOWN');
          sends++;
        },
        close: () => undefined,
      };
    };
    const errors: string[] = [];
    const a = new PcapAnnouncer({ listLinks: () => [ETH0], openCapture, arpFastPath: false, onError: (m) => errors.push(m), announceSchedule: [0] });
    try {
      a.scan();
      expect(a.announce('10.0.0.100')).toEqual({ ok: true, value: undefined });
      expect(a.announce('10.0.0.300')).toMatchObject({ ok: false, error: { kind: 'invalid-address' } });
      const deliver = onFrame as CaptureOptions['onFrame'];
      const buffer = Buffer.alloc(65535);
      for (const frame of hostileFrames) {
        buffer.set(frame);
        // libpcap hands over the whole ring buffer and a length; a lying length must not hurt.
        deliver(buffer, frame.length, false);
        deliver(buffer, frame.length + 70000, true);
        deliver(buffer, -1, false);
      }
      const before = sends;
      buffer.set(request);
      deliver(buffer, request.length, false);
      expect(sends).toBe(before + 1);
      failSends = true;
      deliver(buffer, request.length, false);
      expect(a.sendErrors.get('eth0')).toBe(1);
      expect(errors.some((e) => e.includes('ENETDOWN'))).toBe(true);
    } finally {
      a.close();
    }
  });
});

describe('libpcap capture handler', () => {
  it('reports an exception from onFrame and keeps capturing', async () => {
    const { openCapture } = await import('./capture.js');
    const errors: string[] = [];
    let frames = 0;
    const capture = openCapture('eth0', {
      onFrame: (_buffer, length) => {
        frames++;
        if (length > 10) throw new Error('bad frame');
      },
      onError: (m) => errors.push(m),
    });
    const handle = fakeCap.handles.at(-1)!;
    expect(handle.emit('packet', 200_000, false)).toBe(true);
    expect(handle.emit('packet', 5, false)).toBe(true);
    capture.close();
    expect(frames).toBe(2);
    expect(errors).toEqual(['handling a frame on eth0: bad frame']);
  });
});

describe('ARP fast path event handler', () => {
  it('survives garbage events and a frame handler that throws', () => {
    let onEvent: ((frame: Buffer | null, error?: { message: string; fatal: boolean }) => void) | undefined;
    const addon = {
      open: (_iface: string, handler: typeof onEvent) => {
        onEvent = handler;
        return {};
      },
      takeCounts: () => ({ answered: [], sendErrors: 0 }),
      close: () => undefined,
    } as unknown as FastPathAddon;
    const errors: Array<[string, boolean]> = [];
    let frames = 0;
    const counters = { recordAnswered: () => undefined } as never;
    const fastPath = new ArpFastPath(addon, 'eth0', {
      counters,
      onFrame: (frame) => {
        frames++;
        if (frame.length === 0) throw new Error('empty frame');
      },
      onError: (message, fatal) => errors.push([message, fatal]),
    });
    const emit = onEvent!;
    for (const frame of hostileFrames.slice(0, 50)) emit(Buffer.from(frame));
    emit(null);
    emit(null, { message: 'recv: Network is down', fatal: true });
    emit(null, { message: 42 as unknown as string, fatal: 'yes' as unknown as boolean });
    fastPath.close();
    emit(Buffer.alloc(1)); // after close: ignored
    expect(frames).toBe(50);
    expect(errors).toContainEqual(['handling a fast path event on eth0: empty frame', false]);
    expect(errors).toContainEqual(['recv: Network is down', true]);
    expect(errors).toContainEqual(['42', false]);
  });
});

describe('Layer2 worker message handler', () => {
  it('reports malformed messages from the worker instead of throwing', () => {
    const layer2 = new Layer2();
    const errors: string[] = [];
    layer2.on('error', (m) => errors.push(m));
    const onMessage = (layer2 as unknown as { onMessage: (m: unknown) => void }).onMessage.bind(layer2);
    for (const message of [null, 42, 'ready?', {}, { type: 'status', id: 'nope' }, { type: 'report' }, { type: 'error', message: 'from the worker' }]) {
      expect(() => onMessage(message)).not.toThrow();
    }
    expect(errors).toContain('from the worker');
    expect(errors.some((e) => e.startsWith('a message from the worker:'))).toBe(true);
  });

  it('the worker process answers hostile messages with errors and keeps running', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const tsx = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    const child = fork(join(here, 'worker.ts'), [], {
      execArgv: ['--import', pathToFileURL(join(tsx, 'dist', 'loader.mjs')).href, '--conditions=development'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const replies: unknown[] = [];
    child.on('message', (m) => replies.push(m));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.once('spawn', () => resolve()));
    for (const message of [null, 'hello', { type: 'announce' }, { type: 'nope' }, { type: 'withdraw', ip: 7 }]) child.send(message as never);
    await vi.waitFor(() => expect(replies.length).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 50 });
    expect(child.exitCode).toBeNull();
    expect(replies.every((r) => (r as { type?: string }).type === 'error')).toBe(true);
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
