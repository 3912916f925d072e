// Public API of @lb/bgp-wire: whole BGP messages and the sans-IO session. The socket adapter is
// `@lb/bgp-wire/node`; the part-level codec (attribute and capability codes, prefixes,
// communities, VPN readers, the IANA numbers) is `@lb/bgp-wire/codec`.

// Messages.
export {
  decode,
  encode,
  encodingLength,
  messageLength,
  type BgpMessage,
  type DecodeResult,
  type DecodedMessage,
  type KeepaliveMessage,
} from './codec/message.js';
export { BgpError, type BgpErrorKind, type ErrorAction, type WithdrawnRoutes } from './codec/errors.js';
export { openCapabilities, type OpenMessage, type OptionalParameter } from './codec/open.js';
export { endOfRib, endOfRibFamily, type UpdateMessage } from './codec/update.js';
export { describeNotification, notification, shutdownNotification, type NotificationMessage } from './codec/notification.js';
export { type RouteRefreshMessage } from './codec/route-refresh.js';
// What messages are made of (the helpers for these are in @lb/bgp-wire/codec).
export {
  type AsPathSegment,
  type AsSegmentType,
  type AttributeValue,
  type DecodeContext,
  type DecodedPathAttribute,
  type LargeCommunity,
  type Origin,
  type PathAttribute,
} from './codec/attributes.js';
export { type AddPathMode, type AfiSafi, type Capability } from './codec/capabilities.js';
export { type Nlri } from './codec/nlri.js';

// The session: the RFC 4271 state machine with Adj-RIB-Out, as a pure object.
export { Session, type RoutesError, type SetRoutesResult } from './session/session.js';
export {
  SessionConfigError,
  validateSessionConfig,
  type AddPathConfig,
  type GracefulRestartConfig,
  type ResolvedSessionConfig,
  type SessionConfig,
  type SessionConfigResult,
} from './session/config.js';
export { type Negotiated } from './session/negotiation.js';
export { ROUTE_FAMILIES, type RouteFamily } from './session/route-family.js';
export { type Route } from './session/routes.js';
export { type MessageCounts, type SessionStats } from './session/stats.js';
export { type ConnectionId, type SessionAction, type SessionEvent, type SessionInput, type SessionState } from './session/types.js';
