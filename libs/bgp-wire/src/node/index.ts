// Public API of @lb/bgp-wire/node: the Session over Node sockets and timers.
export { BgpPeer, BgpPeerConfigError, validatePeerOptions, type BgpPeerEvent, type BgpPeerOptions } from './peer.js';
export { BgpListener, type BgpListenerOptions, type InboundTarget, type RejectedConnection } from './listener.js';
export { loadSockopt, type Sockopt } from './sockopt.js';
