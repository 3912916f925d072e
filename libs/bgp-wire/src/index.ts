// Public API of @lb/bgp-wire: the pure BGP-4 codec and the sans-IO session. The socket adapter is
// the `@lb/bgp-wire/node` subpath.

// Codec: whole messages.
export { decode, encode, encodingLength, messageLength, type BgpMessage, type KeepaliveMessage } from './codec/message.js';
export { BgpError, isBgpError, type ErrorAction, type WithdrawnRoutes } from './codec/errors.js';
export { openCapabilities, type OpenMessage, type OptionalParameter } from './codec/open.js';
export { endOfRib, endOfRibFamily, type UpdateMessage } from './codec/update.js';
export { describeNotification, notification, shutdownNotification, type NotificationMessage } from './codec/notification.js';
export { RouteRefreshSubtype, type RouteRefreshMessage } from './codec/route-refresh.js';
// Codec: parts.
export {
  attributeCode,
  type AsPathSegment,
  type AsSegmentType,
  type DecodeContext,
  type LargeCommunity,
  type Origin,
  type PathAttribute,
} from './codec/attributes.js';
export {
  GracefulRestartFamilyFlag,
  GracefulRestartFlag,
  capabilityCode,
  type AddPathMode,
  type AfiSafi,
  type Capability,
} from './codec/capabilities.js';
export { parsePrefix, type Nlri, type ParsedPrefix } from './codec/nlri.js';
export {
  WellKnownCommunity,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseLargeCommunity,
  routeTarget,
} from './codec/communities.js';
export { decodeVpnNextHop, decodeVpnNlri, formatRouteDistinguisher, type VpnRoute } from './codec/vpn.js';
// Address text and bytes come from @lb/ip; re-exported for users of the codec.
export { formatIP, ipVersion, parseIP } from '@lb/ip';
export { fromHex, toHex } from './codec/bytes.js';
export {
  AS_TRANS,
  Afi,
  AttributeFlag,
  AttributeType,
  CapabilityCode,
  CeaseSubcode,
  ErrorCode,
  FsmErrorSubcode,
  HEADER_LENGTH,
  HeaderErrorSubcode,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  OpenErrorSubcode,
  RouteRefreshErrorSubcode,
  Safi,
  UpdateErrorSubcode,
  describeError,
} from './codec/constants.js';

// Session: the RFC 4271 state machine with Adj-RIB-Out, as a pure object.
export { Session, type SetRoutesResult } from './session/session.js';
export {
  SessionConfigError,
  validateSessionConfig,
  type AddPathConfig,
  type GracefulRestartConfig,
  type SessionConfig,
} from './session/config.js';
export { type Negotiated } from './session/negotiation.js';
export { type Route } from './session/routes.js';
export { type MessageCounts, type SessionStats } from './session/stats.js';
export {
  FAMILIES,
  type ConnectionId,
  type Family,
  type SessionAction,
  type SessionEvent,
  type SessionInput,
  type SessionState,
} from './session/types.js';
