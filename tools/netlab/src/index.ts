// Public API of @lb/netlab: namespaces, links and processes for tests against real network peers.
export { findExecutable, requireNetworkLab } from './environment.js';
export { Lab, type ExecResult, type SpawnedProcess } from './lab.js';
export { waitFor } from './wait.js';
export { arping, ndisc6, neighborMac, neighbors, startTcpdump, type ArpingOptions, type ArpingResult, type Neighbor, type TcpdumpCapture } from './l2/clients.js';
export { readPcap, type PcapRecord } from './l2/pcap-file.js';
export { waitForNeighbor, normalizeCommunity } from './daemons/common.js';
export { gobgpConfig, startGobgpd } from './daemons/gobgpd.js';
export { frrConfig, startFrr } from './daemons/frr.js';
export { bfddConfig, startBfdd, type BfdDaemon, type BfddCounters, type BfddPeerConfig, type BfddPeerStatus, type BfddStateChange } from './daemons/bfdd.js';
export { birdConfig, parseRoutes, startBird, type BirdConfig } from './daemons/bird.js';
export { type BgpDaemon, type BgpDaemonConfig, type BgpFamily, type BgpNeighborConfig, type NeighborState, type RibRoute } from './daemons/types.js';
