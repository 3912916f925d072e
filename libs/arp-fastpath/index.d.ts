/** An open fast path on one interface (an N-API external). */
export type FastPathHandle = { readonly __brand: 'arp-fastpath' };

/**
 * What one interface answers for. `vlan` is the 802.1Q id its frames carry, -1 when they arrive
 * untagged; `addresses` holds IPv4 addresses, 4 bytes each in network order.
 */
export interface FastPathTable {
  mac: Uint8Array;
  vlan: number;
  addresses: Uint8Array;
}

export interface FastPathCounts {
  /** Per address (as a big-endian uint32): requests answered and replies the socket accepted. */
  answered: Array<{ address: number; requests: number; responses: number }>;
  /** Replies the socket refused (requests counted, responses not). */
  sendErrors: number;
}

export interface FastPathError {
  message: string;
  errno: number;
  /**
   * The readers stopped; nothing more arrives from this handle. Linux reports a deleted interface
   * like one set down ("Network is down", not fatal: the sockets come back when it is up again),
   * so the owner notices deletion by other means (@lb/arp rescans interfaces) and closes the handle.
   */
  fatal: boolean;
}

export interface FastPathStatus {
  open: boolean;
  ifindex: number;
  /** SCHED_FIFO priority the thread runs at; 0 for the default scheduler. */
  realtimePriority: number;
  /** Why a requested realtime priority was refused. */
  realtimeError?: string;
  /** Unanswered frames dropped because JavaScript had 4096 waiting already. */
  handoffDropped: number;
}

/**
 * Opens an AF_PACKET socket on `iface` that receives ARP frames (untagged or behind one 802.1Q tag)
 * and starts its thread. The thread answers from the table; every ARP frame it does not answer
 * goes to `onEvent(frame)` on the JavaScript thread, read errors to `onEvent(null, error)`.
 * The table starts empty: nothing is answered until setTable.
 */
export function open(iface: string, onEvent: (frame: Buffer | null, error?: FastPathError) => void, options?: { realtimePriority?: number }): FastPathHandle;
/** Installs a new table at once and returns the counts of the one it replaces. */
export function setTable(handle: FastPathHandle, table: FastPathTable): FastPathCounts;
/** Counts since the last call or table change, reset to zero. */
export function takeCounts(handle: FastPathHandle): FastPathCounts;
/** Sends a frame on the interface through the fast path's socket. */
export function send(handle: FastPathHandle, frame: Uint8Array): void;
export function status(handle: FastPathHandle): FastPathStatus;
/** Stops the thread and closes the socket; closing again does nothing. */
export function close(handle: FastPathHandle): void;
/** The reply the fast path sends for `frame` (as on the wire, tag included) with `table`, or null. Pure. */
export function decide(table: FastPathTable, frame: Uint8Array): Buffer | null;
