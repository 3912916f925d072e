// RFC 5880 §4.1: the BFD control packet. `decode` checks the layout (version, Length, the
// authentication section); the reception rules that decide whether a session may use a packet
// (§6.8.6: detect multiplier, M bit, discriminators) are in `receptionProblem`, so that every
// well-formed packet round-trips byte for byte.
import { err, ok, type Result } from '../result.js';
import { authenticationLength, authenticationProblem, readAuthentication, writeAuthentication, type Authentication } from './auth.js';
import { BFD_VERSION, CONTROL_HEADER_LENGTH, MAX_CONTROL_PACKET_LENGTH, SESSION_STATES, STATE_CODES, type SessionState } from './constants.js';
import { BfdDecodeError } from './errors.js';

export interface ControlPacket {
  /** RFC 5880 §4.1 Diag, 0..31 (see `Diagnostic`). */
  readonly diagnostic: number;
  readonly state: SessionState;
  readonly poll: boolean;
  readonly final: boolean;
  /** C: the sender's BFD does not share fate with its control plane. */
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  /** M: reserved for point-to-multipoint; receivers discard packets that set it. */
  readonly multipoint: boolean;
  readonly detectMultiplier: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  /** Microseconds, as on the wire. */
  readonly desiredMinTxInterval: number;
  readonly requiredMinRxInterval: number;
  readonly requiredMinEchoRxInterval: number;
  /** Present exactly when the A bit is set. */
  readonly authentication?: Authentication;
  /** Bytes inside Length after the known sections, kept so that re-encoding gives the same bytes. */
  readonly trailing?: Uint8Array;
}

const FLAG_POLL = 0x20;
const FLAG_FINAL = 0x10;
const FLAG_CPI = 0x08;
const FLAG_AUTH = 0x04;
const FLAG_DEMAND = 0x02;
const FLAG_MULTIPOINT = 0x01;

function encodingLength(packet: ControlPacket): number {
  return CONTROL_HEADER_LENGTH + (packet.authentication ? authenticationLength(packet.authentication) : 0) + (packet.trailing?.length ?? 0);
}

/**
 * Writes `packet` into `buf` at `offset` (a new buffer when none is given) and returns the buffer.
 * Values outside their fields are a programming error and throw a RangeError; use
 * `encodeProblem` first when the packet comes from outside.
 */
function encode(packet: ControlPacket, buf?: Uint8Array, offset = 0): Uint8Array {
  const length = encodingLength(packet);
  const problem = encodeProblem(packet);
  if (problem) throw new RangeError(`cannot encode BFD control packet: ${problem}`);
  const out = buf ?? new Uint8Array(length);
  if (offset + length > out.length) throw new RangeError(`BFD control packet of ${length} bytes does not fit at offset ${offset} of a ${out.length}-byte buffer`);
  out[offset] = (BFD_VERSION << 5) | packet.diagnostic;
  out[offset + 1] =
    (STATE_CODES[packet.state] << 6) |
    (packet.poll ? FLAG_POLL : 0) |
    (packet.final ? FLAG_FINAL : 0) |
    (packet.controlPlaneIndependent ? FLAG_CPI : 0) |
    (packet.authentication ? FLAG_AUTH : 0) |
    (packet.demand ? FLAG_DEMAND : 0) |
    (packet.multipoint ? FLAG_MULTIPOINT : 0);
  out[offset + 2] = packet.detectMultiplier;
  out[offset + 3] = length;
  write32(out, offset + 4, packet.myDiscriminator);
  write32(out, offset + 8, packet.yourDiscriminator);
  write32(out, offset + 12, packet.desiredMinTxInterval);
  write32(out, offset + 16, packet.requiredMinRxInterval);
  write32(out, offset + 20, packet.requiredMinEchoRxInterval);
  let at = offset + CONTROL_HEADER_LENGTH;
  if (packet.authentication) at = writeAuthentication(packet.authentication, out, at);
  if (packet.trailing) out.set(packet.trailing, at);
  return out;
}

/** What keeps `packet` from being encoded, or undefined. */
export function encodeProblem(packet: ControlPacket): string | undefined {
  if (!isUint(packet.diagnostic, 31)) return `diagnostic ${packet.diagnostic} is outside 0..31`;
  if (STATE_CODES[packet.state] === undefined) return `state ${String(packet.state)} is not AdminDown, Down, Init or Up`;
  if (!isUint(packet.detectMultiplier, 255)) return `detect multiplier ${packet.detectMultiplier} is outside 0..255`;
  for (const field of ['myDiscriminator', 'yourDiscriminator', 'desiredMinTxInterval', 'requiredMinRxInterval', 'requiredMinEchoRxInterval'] as const) {
    if (!isUint(packet[field], 0xffffffff)) return `${field} ${packet[field]} is not a 32-bit unsigned integer`;
  }
  if (packet.authentication) {
    const problem = authenticationProblem(packet.authentication);
    if (problem) return `authentication: ${problem}`;
  }
  const length = encodingLength(packet);
  if (length > MAX_CONTROL_PACKET_LENGTH) return `the packet would be ${length} bytes; Length is one byte`;
  return undefined;
}

/**
 * Reads the control packet at `offset`. Its Length field decides where it ends; bytes after that
 * (up to `end`, the end of the UDP payload) are not part of it and are ignored. Every byte array
 * in the result is a copy, so the caller may reuse `buf`.
 */
function decode(buf: Uint8Array, offset = 0, end = buf.length): Result<ControlPacket, BfdDecodeError> {
  if (end - offset < CONTROL_HEADER_LENGTH) {
    return err(new BfdDecodeError('truncated', offset, `a control packet needs ${CONTROL_HEADER_LENGTH} bytes, ${Math.max(0, end - offset)} left`));
  }
  const first = buf[offset] as number;
  const version = first >> 5;
  if (version !== BFD_VERSION) return err(new BfdDecodeError('unsupported-version', offset, `version ${version}, only ${BFD_VERSION} exists`));
  const flags = buf[offset + 1] as number;
  const hasAuth = (flags & FLAG_AUTH) !== 0;
  const length = buf[offset + 3] as number;
  const minimum = hasAuth ? CONTROL_HEADER_LENGTH + 2 : CONTROL_HEADER_LENGTH;
  if (length < minimum) return err(new BfdDecodeError('bad-length', offset + 3, `Length ${length} is below ${minimum}${hasAuth ? ' (A bit set)' : ''}`));
  if (offset + length > end) return err(new BfdDecodeError('truncated', offset + 3, `Length ${length}, only ${end - offset} bytes received`));
  const packetEnd = offset + length;
  let at = offset + CONTROL_HEADER_LENGTH;
  let authentication: Authentication | undefined;
  if (hasAuth) {
    const read = readAuthentication(buf, at, packetEnd);
    if (read instanceof BfdDecodeError) return err(read);
    authentication = read.auth;
    at = read.end;
  }
  const packet: { -readonly [K in keyof ControlPacket]: ControlPacket[K] } = {
    diagnostic: first & 0x1f,
    state: SESSION_STATES[flags >> 6] as SessionState,
    poll: (flags & FLAG_POLL) !== 0,
    final: (flags & FLAG_FINAL) !== 0,
    controlPlaneIndependent: (flags & FLAG_CPI) !== 0,
    demand: (flags & FLAG_DEMAND) !== 0,
    multipoint: (flags & FLAG_MULTIPOINT) !== 0,
    detectMultiplier: buf[offset + 2] as number,
    myDiscriminator: read32(buf, offset + 4),
    yourDiscriminator: read32(buf, offset + 8),
    desiredMinTxInterval: read32(buf, offset + 12),
    requiredMinRxInterval: read32(buf, offset + 16),
    requiredMinEchoRxInterval: read32(buf, offset + 20),
  };
  if (authentication) packet.authentication = authentication;
  if (at < packetEnd) packet.trailing = buf.slice(at, packetEnd);
  return ok(packet);
}

/** Codec for BFD control packets: `encode` into a caller's buffer, `decode` never throws on input. */
export const controlPacket = { encode, decode, encodingLength } as const;

/** Why a session must not use a well-formed packet (RFC 5880 §6.8.6), before demultiplexing. */
export type ReceptionProblem = 'zero-detect-multiplier' | 'multipoint' | 'zero-my-discriminator' | 'zero-your-discriminator';

/**
 * The §6.8.6 checks that need no session: a zero Detect Mult, the M bit, a zero My Discriminator,
 * and a zero Your Discriminator outside the Down and AdminDown states.
 */
export function receptionProblem(packet: ControlPacket): ReceptionProblem | undefined {
  if (packet.detectMultiplier === 0) return 'zero-detect-multiplier';
  if (packet.multipoint) return 'multipoint';
  if (packet.myDiscriminator === 0) return 'zero-my-discriminator';
  if (packet.yourDiscriminator === 0 && packet.state !== 'Down' && packet.state !== 'AdminDown') return 'zero-your-discriminator';
  return undefined;
}

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function write32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}

function read32(buf: Uint8Array, at: number): number {
  return (((buf[at] as number) << 24) | ((buf[at + 1] as number) << 16) | ((buf[at + 2] as number) << 8) | (buf[at + 3] as number)) >>> 0;
}
