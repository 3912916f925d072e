// Entry point of the worker process `startLayer2` forks: the announcer and its libpcap handles live
// here, so that cap aborting on a vanished interface costs a restart, not the caller's process.
import { PcapAnnouncer, type AnnounceResult } from './announcer.js';
import { type FromWorker, type ToWorker, type WorkerReport } from './protocol.js';

let announcer: PcapAnnouncer | undefined;

function post(message: FromWorker): void {
  process.send?.(message);
}

function report(): WorkerReport {
  announcer!.collectFastPathCounts();
  return { counters: announcer!.counters.snapshot(), sendErrors: Object.fromEntries(announcer!.sendErrors) };
}

function handle(message: ToWorker): void {
  if (typeof message !== 'object' || message === null) {
    post({ type: 'error', message: `ignored a message that is not an object: ${String(message)}` });
    return;
  }
  try {
    if (message.type === 'init') {
      const { settings } = message;
      announcer = new PcapAnnouncer({
        ...(settings.exclude ? { exclude: new RegExp(settings.exclude.source, settings.exclude.flags) } : {}),
        ...(settings.scanIntervalMs !== undefined ? { scanIntervalMs: settings.scanIntervalMs } : {}),
        ...(settings.announceSchedule ? { announceSchedule: settings.announceSchedule } : {}),
        ...(settings.arpFastPath !== undefined ? { arpFastPath: settings.arpFastPath } : {}),
        onError: (text) => post({ type: 'error', message: text }),
        onInfo: (text) => post({ type: 'info', message: text }),
      });
      for (const a of message.announcements) reportRefusal(announcer.announce(a.ip, { interfaces: a.interfaces }));
      announcer.start();
      setInterval(() => post({ type: 'report', report: report() }), settings.reportIntervalMs).unref();
      post({ type: 'ready' });
      return;
    }
    if (!announcer) throw new Error(`"${message.type}" before init`);
    if (message.type === 'announce') reportRefusal(announcer.announce(message.announcement.ip, { interfaces: message.announcement.interfaces }));
    else if (message.type === 'withdraw') announcer.withdraw(message.ip);
    else if (message.type === 'scan') announcer.scan();
    else if (message.type === 'status') post({ type: 'status', id: message.id, report: report(), interfaces: announcer.interfaces() });
    else throw new Error(`unknown message type ${JSON.stringify((message as { type?: unknown }).type)}`);
  } catch (error) {
    post({ type: 'error', message: `${String(message.type)}: ${error instanceof Error ? error.message : String(error)}` });
  }
}

function reportRefusal(result: AnnounceResult): void {
  if (!result.ok) post({ type: 'error', message: result.error.message });
}

process.on('message', (message) => handle(message as ToWorker));
// The parent going away (IPC closed) ends the worker: nothing else would stop its captures.
process.on('disconnect', () => {
  announcer?.close();
  process.exit(0);
});
