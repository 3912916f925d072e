// Public API of @lb/arp: the pure codec and the sans-IO responder. The libpcap adapter is the
// separate `@lb/arp/pcap` entry point, so importing this one never loads a native module.
// Addresses are @lb/ip's text; MAC addresses are lower-case `aa:bb:cc:dd:ee:ff` strings.
export { ARP_REPLY, ARP_REQUEST, arpPacket, type ArpPacket } from './arp.js';
export { Layer2Counters, type CountersSnapshot, type IpCounters } from './counters.js';
export { DROP_REASONS, type DropReason, type ResponderDrop } from './drop-reasons.js';
export { DecodeError, type DecodeErrorKind, type DecodeResult } from './errors.js';
export { type EthernetHeader, type VlanTag } from './ethernet.js';
export { ethernetFrame, type ArpFrame, type Frame, type Ipv6Header, type NdpFrame } from './frame.js';
export {
  ndpMessage,
  type NdpMessage,
  type NdpOption,
  type NeighborAdvertisement,
  type NeighborSolicitation,
  type PseudoHeader,
} from './ndp.js';
export {
  Responder,
  type AnnounceOptions,
  type ArpTable,
  type FrameOutcome,
  type InterfaceConfig,
  type ResponderError,
  type ResponderOptions,
  type Transmit,
  type TransmitResult,
} from './responder.js';
export { DEFAULT_ANNOUNCE_SCHEDULE, METALLB_ANNOUNCE_SCHEDULE } from './schedule.js';
