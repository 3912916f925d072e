// A process run inside a test namespace (`ip netns exec NS node agent.ts`): it drives @lb/arp/pcap
// there, since libpcap captures in the namespace of the process that opens it. Requests arrive as
// JSON lines on stdin, answers leave as JSON lines on stdout.
import { createInterface } from 'node:readline';
import { Layer2, openCapture, type ArpFastPathOptions, type Capture } from '../../src/pcap/index.js';

export interface AgentLayer2Options {
  announceSchedule?: number[];
  scanIntervalMs?: number;
  exclude?: string;
  arpFastPath?: ArpFastPathOptions | false;
}

interface Request {
  readonly id: number;
  readonly cmd: 'start' | 'announce' | 'withdraw' | 'status' | 'rescan' | 'inject' | 'stop';
  readonly [key: string]: unknown;
}

let layer2: Layer2 | undefined;
const injectors = new Map<string, Capture>();

function write(message: object): void {
  process.stdout.write(JSON.stringify(message) + '\n');
}

async function run(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'start': {
      const options = (request['options'] ?? {}) as AgentLayer2Options;
      // Listeners before start: the worker says which path answers ARP while starting.
      layer2 = new Layer2({
        ...(options.arpFastPath !== undefined ? { arpFastPath: options.arpFastPath } : {}),
        ...(options.announceSchedule ? { announceSchedule: options.announceSchedule } : {}),
        ...(options.scanIntervalMs ? { scanIntervalMs: options.scanIntervalMs } : {}),
        ...(options.exclude ? { exclude: new RegExp(options.exclude) } : {}),
      });
      layer2.on('restart', (why) => write({ event: 'restart', why }));
      layer2.on('error', (message) => write({ event: 'error', message }));
      layer2.on('info', (message) => write({ event: 'info', message }));
      await layer2.start();
      return { pid: process.pid };
    }
    case 'announce':
      layer2!.announce(request['ip'] as string, { interfaces: (request['interfaces'] as string[] | undefined) ?? [] });
      return {};
    case 'withdraw':
      layer2!.withdraw(request['ip'] as string);
      return {};
    case 'status':
      return layer2!.status();
    case 'rescan':
      layer2!.rescan();
      return {};
    case 'inject': {
      const iface = request['iface'] as string;
      let capture = injectors.get(iface);
      if (!capture) {
        capture = openCapture(iface, { onFrame: () => undefined, filter: 'ether proto 0xffff' });
        injectors.set(iface, capture);
      }
      for (const hex of request['frames'] as string[]) capture.send(Buffer.from(hex, 'hex'));
      return {};
    }
    case 'stop':
      for (const c of injectors.values()) c.close();
      await layer2?.close();
      setTimeout(() => process.exit(0), 10);
      return {};
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line) as Request;
  run(request).then(
    (result) => write({ id: request.id, ok: true, result }),
    (error: unknown) => write({ id: request.id, ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
write({ event: 'up' });
