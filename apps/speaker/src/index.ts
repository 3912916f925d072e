// Public API of @lb/speaker: the pure cores the binary composes (membership, election, status,
// metrics), exported for the process, tests and tools. No sockets, timers or API calls in here.

// Membership: failure detection and membership among speakers (sans-IO).
export { Membership, type MembershipOptions } from './membership/membership.js';
export {
  type Datagram,
  type DropReason,
  type MemberAddress,
  type MembershipChange,
  type MembershipCounters,
  type MembershipInput,
  type MembershipOutput,
  type MembershipView,
  type Now,
} from './membership/types.js';
export { DEFAULT_TIMING, timingProblems, type Timing } from './membership/timing.js';
export { membershipMessage, MAX_NAME_LENGTH, MAX_UPDATES, updateEncodingLength } from './membership/codec.js';
export { DecodeError, type DecodeErrorKind, type DecodeResult } from './membership/errors.js';
export {
  BODY_CODES,
  PROTOCOL_VERSION,
  STATUS_CODES,
  type AckBody,
  type Body,
  type Header,
  type HeartbeatBody,
  type JoinBody,
  type KnownBodyType,
  type KnownStatus,
  type Message,
  type NewsBody,
  type PingBody,
  type ProbeReplyBody,
  type ProbeRequestBody,
  type SyncRequestBody,
  type UnknownBody,
  type Update,
} from './membership/messages.js';
export { AuthError, deriveKey, Keyring, open, seal, TAG_LENGTH, type OpenResult } from './membership/auth.js';
export { REPLAY_WINDOW, ReplayGuard, type ReplayVerdict } from './membership/replay.js';

// Election: which addresses this node announces, on which interfaces.
export { elect, L2Election, type Announcement, type L2Decision, type ServiceDecision } from './election/elect.js';
export { announcementDiff, type AnnouncementDiff } from './election/diff.js';
export { planL2, type ElectionInputs, type L2Plan, type ServicePlan } from './election/plan.js';
export { assignOwners, DEFAULT_LOAD_FACTOR, placeHomes, type Ball, type Candidate, type Liveness } from './election/placement.js';
export { servicePool, type NotAnnouncedReason, type PooledService, type PoolVerdict } from './election/services.js';
export { endpointCanServe, SERVICE_NAME_LABEL } from './election/endpoints.js';
export { EXCLUDE_FROM_LB_LABEL, nodeExclusion, tolerates, type NodeOptions } from './election/nodes.js';
export { type EndpointSliceResource, type NodeResource, type ServiceResource, type Taint } from './election/resources.js';
export {
  announcementEvents,
  desiredL2Statuses,
  L2_STATUS_LABELS,
  serviceL2StatusObject,
  type AnnouncementEvent,
  type DesiredL2Status,
} from './election/status.js';

// Metrics: MetalLB's speaker names plus the membership's.
export { SpeakerMetrics, type MetricSources } from './metrics.js';

// BGP: the desired state per peer and Service (pure), and the adapter holding the sessions.
export {
  desiredBgp,
  type BgpDesiredState,
  type BgpInputs,
  type BgpNotAnnouncedReason,
  type DesiredPeer,
  type DesiredPrefix,
  type ServiceBgpDecision,
} from './bgp/desired.js';
export { peerSession, secretIndex, sessionKey, type PeerSession, type PeerSessionError, type PeerSessionResult, type SecretIndex } from './bgp/sessions.js';
export { aggregatedPrefix, type AggregatedPrefix } from './bgp/prefixes.js';
export { GRACEFUL_SHUTDOWN, routesOf, sessionOptions, type NodeAddresses, type SessionOptions, type SessionOptionsInput } from './bgp/peer-options.js';
export { BgpMode, type BgpModeEvent, type BgpModeOptions, type BgpSessionStatus, type BgpStopOptions } from './bgp/bgp-mode.js';
export {
  bgpAnnouncementEvents,
  bgpSessionStateObject,
  desiredBgpStatuses,
  serviceBgpStatusObject,
  SESSION_STATE_LABELS,
  type BgpAnnouncementEvent,
  type DesiredBgpStatus,
} from './bgp/status.js';
export { registerBgpMetrics, type PeerMetricSample } from './bgp/metrics.js';
export { localAddressTowards } from './bgp/local-address.js';
// The process: flags, the pure composition, the start-up checks, and running it in-process.
export { ENVIRONMENT, parseHostPort, parseOptions, type LogLevel, type SpeakerOptions } from './process/cli.js';
export {
  expectedMembers,
  internalIP,
  joinHostPort,
  Layer2Composer,
  splitHostPort,
  statusActions,
  type ApiSnapshot,
  type ExistingL2Status,
  type Layer2Actions,
  type NodeWithAddresses,
  type PodResource,
  type SpeakerSettings,
  type StatusActions,
} from './process/compose.js';
export { CAP_NET_RAW, CAP_SYS_NICE, preflightLayer2, systemProbe, type Preflight, type PreflightProbe } from './process/preflight.js';
export { main, runSpeaker, StartError, type RunningSpeaker } from './main.js';
