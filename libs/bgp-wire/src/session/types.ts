import { type BgpError } from '../codec/errors.js';
import { type NotificationMessage } from '../codec/notification.js';
import { type Negotiated } from './negotiation.js';
import { type RouteFamily } from './route-family.js';

/** RFC 4271 §8.2.2 states. */
export type SessionState = 'idle' | 'connect' | 'active' | 'open-sent' | 'open-confirm' | 'established';

/** An adapter-chosen number naming one TCP connection. */
export type ConnectionId = number;

/** What happens to a session: fed in by the adapter (or a test) one at a time. */
export type SessionInput =
  /** Administrative start (RFC ManualStart / AutomaticStart). */
  | { readonly type: 'start' }
  /**
   * Administrative stop. `graceful` closes the connection without a NOTIFICATION when graceful
   * restart was negotiated, so the peer keeps our routes while we restart (RFC 4724).
   */
  | { readonly type: 'stop'; readonly graceful?: boolean; readonly reason?: string }
  /** A TCP connection to or from the peer is up; `outbound` when we opened it. */
  | { readonly type: 'connection-open'; readonly connection: ConnectionId; readonly direction: 'outbound' | 'inbound' }
  /** The outbound connection attempt the session asked for failed. */
  | { readonly type: 'connect-failed'; readonly reason: string }
  /** Bytes received on a connection. */
  | { readonly type: 'data'; readonly connection: ConnectionId; readonly bytes: Uint8Array }
  /** The peer or the network closed a connection. */
  | { readonly type: 'connection-closed'; readonly connection: ConnectionId; readonly reason?: string }
  /** A timer the session armed has fired. */
  | { readonly type: 'timer'; readonly timer: string };

/** What the session asks of its adapter, in order. */
export type SessionAction =
  /** Open an outbound TCP connection to the peer, then feed `connection-open` or `connect-failed`. */
  | { readonly type: 'connect' }
  | { readonly type: 'send'; readonly connection: ConnectionId; readonly bytes: Uint8Array }
  /** Close a connection once what was sent on it has been flushed. */
  | { readonly type: 'close'; readonly connection: ConnectionId }
  /** Arm (or re-arm) timer `timer` to fire in `ms`; `ms` null cancels it. */
  | { readonly type: 'timer'; readonly timer: string; readonly ms: number | null }
  | { readonly type: 'event'; readonly event: SessionEvent };

/** Things worth logging or exporting as metrics. */
export type SessionEvent =
  | { readonly type: 'state'; readonly from: SessionState; readonly to: SessionState; readonly reason?: string }
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  | { readonly type: 'notification-sent'; readonly notification: NotificationMessage; readonly reason: string }
  | { readonly type: 'notification-received'; readonly notification: NotificationMessage }
  /** An UPDATE from the peer was malformed but handled without a reset (RFC 7606). */
  | { readonly type: 'malformed-update'; readonly error: BgpError }
  | { readonly type: 'end-of-rib-received'; readonly family: RouteFamily }
  | { readonly type: 'end-of-rib-sent'; readonly family: RouteFamily }
  | { readonly type: 'route-refresh-received'; readonly family: RouteFamily }
  /** Routes that could not be sent on this session (e.g. an IPv6 next hop without RFC 8950). */
  | { readonly type: 'routes-unsendable'; readonly family: RouteFamily; readonly prefixes: readonly string[]; readonly reason: string };
