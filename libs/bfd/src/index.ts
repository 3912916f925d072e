// Public API of @lb/bfd: the codec, the sans-IO session and the sans-IO session manager. The Node
// adapter (sockets, timers, the native TTL addon) is the separate `@lb/bfd/node` entry point.
export { type Authentication, type AuthenticationKind } from './codec/auth.js';
export {
  BFD_VERSION,
  CONTROL_HEADER_LENGTH,
  Diagnostic,
  ECHO_PORT,
  MAX_CONTROL_PACKET_LENGTH,
  MULTIHOP_CONTROL_PORT,
  SESSION_STATES,
  SINGLE_HOP_CONTROL_PORT,
  SOURCE_PORT_MAX,
  SOURCE_PORT_MIN,
  diagnosticText,
  type DiagnosticName,
  type SessionState,
} from './codec/constants.js';
export { controlPacket, encodeProblem, receptionProblem, type ControlPacket, type ReceptionProblem } from './codec/control-packet.js';
export { BfdDecodeError, type DecodeFailure } from './codec/errors.js';
export {
  DROP_REASONS,
  SessionManager,
  type BfdEvent,
  type DropReason,
  type ManagerAction,
  type ManagerCounters,
  type ManagerOptions,
  type ReceivedDatagram,
  type SessionInfo,
  type SessionSpec,
} from './manager/manager.js';
export { PROFILE_DEFAULTS, resolveProfile, type BfdProfile, type ResolvedProfile } from './manager/profile.js';
export { err, ok, type Result } from './result.js';
export { ECHO_PACKET_LENGTH, echoPacket, type EchoPacket } from './session/echo-packet.js';
export { jitteredInterval } from './session/jitter.js';
export { ECHO_CONTROL_RX_INTERVAL_MS, SLOW_START_INTERVAL_MS, sessionOptionProblems, timerProblems, type SessionOptions, type SessionTimers } from './session/options.js';
export {
  Session,
  SessionOptionsError,
  type NegotiatedTimers,
  type SessionAction,
  type SessionDropReason,
  type SessionStats,
  type StateCause,
  type StateChange,
} from './session/session.js';
