// Public API of @lb/bgp-wire/codec: the parts BGP messages are made of, for code that reads or
// builds them piece by piece (logs, tests, tools). Whole messages are @lb/bgp-wire's, and so are
// the types these take (PathAttribute, Capability, LargeCommunity): import those from there.
export { attributeCode } from './attributes.js';
export { fromHex, toHex } from './bytes.js';
export { GracefulRestartFamilyFlag, GracefulRestartFlag, capabilityCode } from './capabilities.js';
export {
  WellKnownCommunity,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseLargeCommunity,
  routeTarget,
} from './communities.js';
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
} from './constants.js';
export { parsePrefix, type ParsedPrefix } from './nlri.js';
export { RouteRefreshSubtype } from './route-refresh.js';
export { decodeVpnNextHop, decodeVpnNlri, formatRouteDistinguisher, type VpnRoute } from './vpn.js';
