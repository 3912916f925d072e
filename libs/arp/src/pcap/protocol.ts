import { type CountersSnapshot } from '../counters.js';
import { type InterfaceStatus } from './announcer.js';
import { type ArpFastPathOptions } from './fastpath.js';

/** Messages between `startLayer2` and its worker process, over the Node IPC channel. */

export interface WorkerSettings {
  readonly exclude?: { readonly source: string; readonly flags: string };
  readonly scanIntervalMs?: number;
  readonly announceSchedule?: readonly number[];
  readonly arpFastPath?: ArpFastPathOptions | false;
  readonly reportIntervalMs: number;
}

export interface AnnouncementState {
  readonly ip: string;
  readonly interfaces: readonly string[];
}

export type ToWorker =
  | { readonly type: 'init'; readonly settings: WorkerSettings; readonly announcements: readonly AnnouncementState[] }
  | { readonly type: 'announce'; readonly announcement: AnnouncementState }
  | { readonly type: 'withdraw'; readonly ip: string }
  | { readonly type: 'scan' }
  | { readonly type: 'status'; readonly id: number };

export interface WorkerReport {
  readonly counters: CountersSnapshot;
  readonly sendErrors: Record<string, number>;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'status'; readonly id: number; readonly report: WorkerReport; readonly interfaces: readonly InterfaceStatus[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'info'; readonly message: string };
