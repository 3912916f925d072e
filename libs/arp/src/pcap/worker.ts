// Entry point of the worker process `startLayer2` forks: the announcer and its libpcap handles live
// here, so that cap aborting on a vanished interface costs a restart, not the caller's process.
import { PcapAnnouncer, type AnnounceResult } from './announcer.js';
import { unpackAddresses, type ChangeSet, type FromWorker, type ToWorker, type WorkerReport } from './protocol.js';

let announcer: PcapAnnouncer | undefined;
/** Send errors per interface already reported: reports carry what was added since. */
const reportedSendErrors = new Map<string, number>();

function post(message: FromWorker): void {
  process.send?.(message);
}

/** What was counted since the last report: the supervisor adds reports up. */
function report(): WorkerReport {
  announcer!.collectFastPathCounts();
  const sendErrors: Record<string, number> = {};
  for (const [iface, total] of announcer!.sendErrors) {
    const added = total - (reportedSendErrors.get(iface) ?? 0);
    if (added > 0) sendErrors[iface] = added;
    reportedSendErrors.set(iface, total);
  }
  return { counters: announcer!.counters.takeChanges(), sendErrors };
}

function apply(changes: ChangeSet): void {
  for (const ip of unpackAddresses(changes.withdraw)) announcer!.withdraw(ip);
  for (const group of changes.announce) {
    for (const ip of unpackAddresses(group.addresses)) reportRefusal(announcer!.announce(ip, { interfaces: group.interfaces }));
  }
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
      apply(message.changes);
      announcer.start();
      setInterval(() => post({ type: 'report', report: report() }), settings.reportIntervalMs).unref();
      post({ type: 'ready' });
      return;
    }
    if (!announcer) throw new Error(`"${message.type}" before init`);
    if (message.type === 'changes') apply(message.changes);
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
