// Public API of @lb/netlab: namespaces, links and processes for tests against real network peers.
export { findExecutable, requireNetworkLab } from './environment.js';
export { Lab, type ExecResult, type SpawnedProcess } from './lab.js';
export { waitFor } from './wait.js';
export { arping, ndisc6, neighborMac, neighbors, startTcpdump, type ArpingOptions, type ArpingResult, type Neighbor, type TcpdumpCapture } from './l2/clients.js';
export { readPcap, type PcapRecord } from './l2/pcap-file.js';
