/** RFC 5880 §4.1: the only version there is. */
export const BFD_VERSION = 1;
/** The mandatory section of a control packet. */
export const CONTROL_HEADER_LENGTH = 24;
/** Length is one byte, so no control packet is longer. */
export const MAX_CONTROL_PACKET_LENGTH = 255;

/** RFC 5881 §4 and RFC 5883 §3: UDP destination ports. */
export const SINGLE_HOP_CONTROL_PORT = 3784;
export const ECHO_PORT = 3785;
export const MULTIHOP_CONTROL_PORT = 4784;
/** RFC 5881 §4: source ports of control packets come from this range. */
export const SOURCE_PORT_MIN = 49152;
export const SOURCE_PORT_MAX = 65535;

/** RFC 5880 §4.1 State field; the array index is the value on the wire. */
export type SessionState = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const SESSION_STATES: readonly SessionState[] = ['AdminDown', 'Down', 'Init', 'Up'];
export const STATE_CODES: Readonly<Record<SessionState, number>> = { AdminDown: 0, Down: 1, Init: 2, Up: 3 };

/**
 * RFC 5880 §4.1 Diagnostic codes. Packets carry the number (0..31, values 9..31 are reserved and
 * kept as they arrive); these names are for the code that sets and reads them.
 */
export const Diagnostic = {
  None: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const;
export type DiagnosticName = keyof typeof Diagnostic;

const DIAGNOSTIC_TEXT: readonly string[] = [
  'no diagnostic',
  'control detection time expired',
  'echo function failed',
  'neighbor signaled session down',
  'forwarding plane reset',
  'path down',
  'concatenated path down',
  'administratively down',
  'reverse concatenated path down',
];

/** Human text for a diagnostic code, e.g. for logs and the `down` event's reason. */
export function diagnosticText(code: number): string {
  return DIAGNOSTIC_TEXT[code] ?? `reserved diagnostic ${code}`;
}
