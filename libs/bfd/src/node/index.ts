// Public API of @lb/bfd/node: the session manager over real sockets and timers.
export {
  BfdManager,
  type BfdCounters,
  type BfdDownEvent,
  type BfdManagerEvents,
  type BfdManagerOptions,
  type BfdRemovedEvent,
  type BfdSessionOptions,
  type BfdStateEvent,
  type BfdStatus,
  type BfdTimersEvent,
  type BfdUpEvent,
} from './bfd-manager.js';
export { echoIpv4Packet, interfaceOf, neighborMac } from './echo-frame.js';
export { loadNativeSocket, type NativeSocket } from './native.js';
export { DGRAM_LIMITATION, dgramTransport, nativeTransport, selectTransport, type Transport } from './transport.js';
