/** Message counts by type, as MetalLB's metrics count them. */
export interface MessageCounts {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
  total: number;
}

/**
 * Counters for a session's lifetime (they survive reconnects), shaped for MetalLB's metric names:
 * metallb_bgp_session_up ← established, metallb_bgp_updates_total ← sent.update,
 * metallb_bgp_announced_prefixes_total ← announcedPrefixes, metallb_bgp_pending_prefixes_total ←
 * pendingPrefixes, metallb_bgp_opens_sent ← sent.open, metallb_bgp_opens_received ← received.open,
 * metallb_bgp_notifications_sent ← sent.notification, metallb_bgp_updates_total_received ←
 * received.update, metallb_bgp_keepalives_sent/received, metallb_bgp_route_refresh_sent/received,
 * metallb_bgp_total_sent/received ← sent.total/received.total.
 */
export interface SessionStats {
  readonly established: boolean;
  readonly sent: Readonly<MessageCounts>;
  readonly received: Readonly<MessageCounts>;
  /** Prefixes the peer holds from us now. */
  readonly announcedPrefixes: number;
  /** Prefixes wanted but not (yet) sent: session down, or not carried by this session. */
  readonly pendingPrefixes: number;
  /** Prefixes announced to us (counted, then ignored). */
  readonly receivedPrefixes: number;
  readonly withdrawnPrefixesReceived: number;
  /** UPDATEs handled under RFC 7606 (treat-as-withdraw, attribute discard) without a reset. */
  readonly malformedUpdates: number;
  readonly establishedTransitions: number;
}

export function emptyCounts(): MessageCounts {
  return { open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 };
}

const keys: Record<number, keyof MessageCounts> = { 1: 'open', 2: 'update', 3: 'notification', 4: 'keepalive', 5: 'routeRefresh' };

/** Counts one message by the type octet of its header. */
export function countMessage(counts: MessageCounts, bytes: Uint8Array): void {
  const key = keys[bytes[18] as number];
  if (key) counts[key]++;
  counts.total++;
}
