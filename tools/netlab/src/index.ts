// Public API of @lb/netlab: namespaces, links and processes for tests against real network peers.
export { findExecutable, requireNetworkLab } from './environment.js';
export { Lab, type ExecResult, type LabSpawnOptions, type SpawnedProcess } from './lab.js';
export { waitFor } from './wait.js';
export { arping, ndisc6, neighborMac, neighbors, startTcpdump, type ArpingOptions, type ArpingResult, type Neighbor, type TcpdumpCapture } from './l2/clients.js';
export { readPcap, type PcapRecord } from './l2/pcap-file.js';
export {
  answerKinds,
  answersByAddress,
  neighborFrames,
  ownerChanges,
  parseNeighborFrame,
  type Answerer,
  type NeighborFrame,
  type NeighborFrameKind,
} from './l2/neighbor-frames.js';
export { waitForNeighbor, normalizeCommunity } from './daemons/common.js';
export { gobgpConfig, startGobgpd } from './daemons/gobgpd.js';
export { frrBgpDaemon, frrConfig, startFrr } from './daemons/frr.js';
export { frrRouterBfdConfig, frrRouterBgpConfig, speakerPeerGroup, startFrrRouter, type FrrRouter, type FrrRouterConfig } from './daemons/frr-router.js';
export { bfddConfig, startBfdd, type BfdDaemon, type BfddCounters, type BfddPeerConfig, type BfddPeerStatus, type BfddStateChange } from './daemons/bfdd.js';
export { birdConfig, parseRoutes, startBird, type BirdConfig } from './daemons/bird.js';
export { type BgpDaemon, type BgpDaemonConfig, type BgpFamily, type BgpNeighborConfig, type NeighborState, type RibRoute } from './daemons/types.js';
export {
  ClusterLab,
  type ClientName,
  type ClusterNode,
  type CurlResult,
  type HttpMode,
  type NeighborCapture,
  type ProcessOptions,
} from './cluster/cluster-lab.js';
export {
  planCluster,
  seedServiceRanges,
  type ClusterOptions,
  type ClusterPlan,
  type DualAddress,
  type DualSubnets,
  type NodeSpec,
  type PlannedNode,
  type RouterOptions,
} from './cluster/plan.js';
export { nodeObjects } from './cluster/node-objects.js';
export { kubeSimCommand, startKubeSim, type KubeSimProcess, type KubeSimProcessOptions } from './cluster/kube-sim.js';
export {
  parseStreamRecords,
  startRequestStream,
  summarizeStream,
  type RequestStream,
  type RequestStreamOptions,
  type StreamRecord,
  type StreamSummary,
} from './cluster/request-stream.js';
export { renderRuleset, type ApiCut, type NamespaceFilter, type PortCut } from './cluster/firewall.js';
export { hostAddress, overlaps, parseSubnet, type Subnet } from './cluster/subnet.js';
