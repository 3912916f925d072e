// Public API of @lb/bgp-wire/node: the Session over Node sockets and timers.
export {
  BgpPeer,
  BgpPeerConfigError,
  EstablishedWaitError,
  validatePeerOptions,
  type BgpPeerEvent,
  type BgpPeerOptions,
  type PeerOptionsResult,
  type PeerRoutesResult,
} from './peer.js';
export { BgpListener, type BgpListenerOptions, type InboundTarget, type RejectedConnection } from './listener.js';
