// Public API of @lb/arp/pcap: the libpcap adapter. Loads the optional native dependency `cap`
// only when a capture is opened.
export { PcapAnnouncer, type AnnouncerOptions, type InterfaceStatus } from './announcer.js';
export { NDP_ONLY_FILTER, NEIGHBOR_DISCOVERY_FILTER, openCapture, type Capture, type CaptureOptions } from './capture.js';
export { IFF_BROADCAST, IFF_LOOPBACK, IFF_NOARP, IFF_UP, eligibility, listLinks, parseIfInet6, type Eligibility, type LinkInfo } from './discovery.js';
export {
  ArpFastPath,
  DEFAULT_FAST_PATH_OPTIONS,
  loadFastPathAddon,
  nativeArpTable,
  type ArpFastPathOptions,
  type FastPathAddon,
  type FastPathHandlers,
  type FastPathStatus,
  type NativeArpTable,
} from './fastpath.js';
export { SolicitedNodeGroups } from './multicast.js';
export { Layer2, startLayer2, type Layer2Options, type Layer2Status } from './supervisor.js';
