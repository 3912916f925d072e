// A stand-in for the speaker process in BGP tests and benchmarks, run inside a node's namespace:
// the real desiredBgp() and BgpMode, fed the configuration and API objects as JSON lines on stdin
// (the process's informers are another helper's work). Answers on stdout:
// `READY`, `STATUS <json>` after `status`, `STOPPED` after `stop`.
import { createInterface } from 'node:readline';
import { compile } from '@lb/config-schema';
import { Registry } from 'prom-client';
import { BgpMode } from '../src/bgp/bgp-mode.js';
import { desiredBgp, type BgpInputs } from '../src/bgp/desired.js';

type Command =
  | ({ readonly cmd: 'update'; readonly yaml: string } & Omit<BgpInputs, 'config' | 'nodeName'>)
  | { readonly cmd: 'status' }
  | { readonly cmd: 'stop'; readonly drainSeconds?: number; readonly mode?: 'withdraw' | 'graceful-shutdown' | 'restart' };

const nodeName = process.env['NODE_NAME'] ?? 'lb-node-1';
const registry = new Registry();
const mode = new BgpMode({
  nodeName,
  registry,
  restarting: process.env['BGP_RESTARTING'] === '1',
  onEvent: (event) => {
    if (event.type === 'bgp' && event.event.type !== 'state' && event.event.type !== 'established') return;
    console.error(`${new Date().toISOString()} ${JSON.stringify(event, (_, v: unknown) => (v instanceof Uint8Array ? undefined : v))}`);
  },
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void handle(JSON.parse(line) as Command).catch((error: unknown) => console.log(`ERROR ${String(error)}`));
});
console.log('READY');

async function handle(command: Command): Promise<void> {
  switch (command.cmd) {
    case 'update': {
      const started = performance.now();
      const compiled = compile(command.yaml);
      if (!compiled.ok) throw new Error(compiled.error.message);
      const { cmd: _cmd, yaml: _yaml, ...objects } = command;
      mode.update(desiredBgp({ ...objects, config: compiled.value, nodeName }));
      console.log(`UPDATED ${(performance.now() - started).toFixed(1)}`);
      break;
    }
    case 'status':
      console.log(`STATUS ${JSON.stringify({ sessions: mode.sessions(), metrics: await registry.metrics(), rssBytes: process.memoryUsage().rss })}`);
      break;
    case 'stop':
      await mode.stop({ drainSeconds: command.drainSeconds ?? 0, mode: command.mode ?? 'withdraw' });
      console.log('STOPPED');
      process.exit(0);
  }
}
