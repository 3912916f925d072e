// Public API of @lb/arp/pcap: layer 2 announcements over libpcap. `startLayer2` runs them in a
// supervised worker process (the way to use them); `PcapAnnouncer` and `openCapture` are for
// callers who run them in a process of their own. Loads the optional native dependencies (`cap`,
// `@lb/arp-fastpath`) only when a capture opens. The types of `@lb/arp` it mentions (counters,
// AnnounceOptions) are imported from there.
export { PcapAnnouncer, type AnnounceResult, type AnnouncerOptions, type InterfaceStatus } from './announcer.js';
export { openCapture, type Capture, type CaptureOptions } from './capture.js';
export { type Eligibility, type LinkInfo } from './discovery.js';
export { type ArpFastPathOptions, type FastPathAddon, type FastPathHandle, type FastPathStatus, type NativeArpTable, type NativeCounts } from './fastpath.js';
export { Layer2, startLayer2, type Layer2Options, type Layer2Status } from './supervisor.js';
