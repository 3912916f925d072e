// Public API of @lb/arp: the pure codec and the sans-IO responder. The libpcap adapter is the
// separate `@lb/arp/pcap` entry point, so importing this one never loads a native module.
export { ARP_LENGTH, ARP_REPLY, ARP_REQUEST, arpPacket, type ArpPacket } from './arp.js';
export { icmpv6Checksum } from './checksum.js';
export { Layer2Counters, type CountersSnapshot, type IpCounters } from './counters.js';
export { DROP_REASONS, type DropReason, type ResponderDrop } from './drop-reasons.js';
export { DecodeError, isDecodeError, type DecodeFailure } from './errors.js';
export { ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_VLAN, type EthernetHeader, type VlanTag } from './ethernet.js';
export { ethernetFrame, type ArpFrame, type Frame, type Ipv6Header, type NdpFrame } from './frame.js';
export {
  canonicalIp,
  formatIPv4,
  formatIPv6,
  ipFamily,
  isLinkLocalIPv6,
  multicastMac,
  parseIPv6,
  solicitedNodeAddress,
  solicitedNodeMac,
  type IpFamily,
} from './ip.js';
export { ALL_NODES_MAC, BROADCAST_MAC, ZERO_MAC, formatMac, isMac, isMulticastMac, normalizeMac, parseMac } from './mac.js';
export { arpReply, gratuitousArp, solicitedAdvertisement, unsolicitedAdvertisement, type Sender } from './messages.js';
export {
  ICMPV6_NEIGHBOR_ADVERTISEMENT,
  ICMPV6_NEIGHBOR_SOLICITATION,
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
  type ResponderOptions,
  type Transmit,
} from './responder.js';
export { DEFAULT_ANNOUNCE_SCHEDULE, METALLB_ANNOUNCE_SCHEDULE, scheduleProblems } from './schedule.js';
