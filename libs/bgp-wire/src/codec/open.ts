import { copyBytes, readU16, writeU16 } from './bytes.js';
import { type Capability, capabilityEncodingLength, decodeCapability, encodeCapability } from './capabilities.js';
import { ErrorCode, OpenErrorSubcode } from './constants.js';
import { BgpError } from './errors.js';
import { formatIPv4, writeIPv4 } from '@lb/ip';

/** Optional parameter type 2 holds capabilities (RFC 5492); others pass through as bytes. */
export type OptionalParameter =
  | { readonly type: 'capabilities'; readonly capabilities: readonly Capability[] }
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs four octets). */
  readonly myAs: number;
  readonly holdTime: number;
  readonly bgpId: string;
  /** In wire order; a speaker may put all capabilities in one parameter or one per parameter. */
  readonly parameters: readonly OptionalParameter[];
  /** RFC 9072 extended optional parameters (2-octet lengths), used when they exceed 255 bytes. */
  readonly extendedParameters?: boolean;
}

const CAPABILITIES_PARAMETER = 2;
const EXTENDED_PARAMETERS_MARK = 255;

/** All capabilities of an OPEN, across its optional parameters, in wire order. */
export function openCapabilities(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.parameters) if (p.type === 'capabilities') out.push(...p.capabilities);
  return out;
}

function parameterValueLength(p: OptionalParameter): number {
  if (p.type === 'unknown') return p.data.length;
  let total = 0;
  for (const c of p.capabilities) total += capabilityEncodingLength(c);
  return total;
}

function parametersLength(open: OpenMessage, extended: boolean): number {
  let total = 0;
  for (const p of open.parameters) total += (extended ? 3 : 2) + parameterValueLength(p);
  return total;
}

function usesExtendedParameters(open: OpenMessage): boolean {
  return open.extendedParameters === true || parametersLength(open, false) > 255 || open.parameters.some((p) => parameterValueLength(p) > 255);
}

/** OPEN body length (without the 19-byte header). */
export function openBodyLength(open: OpenMessage): number {
  const extended = usesExtendedParameters(open);
  return 10 + (extended ? 3 : 0) + parametersLength(open, extended);
}

export function encodeOpenBody(open: OpenMessage, buf: Uint8Array, offset: number): number {
  buf[offset] = open.version;
  writeU16(buf, offset + 1, open.myAs);
  writeU16(buf, offset + 3, open.holdTime);
  if (!writeIPv4(open.bgpId, buf, offset + 5)) throw new TypeError(`BGP identifier ${JSON.stringify(open.bgpId)} is not a dotted quad`);
  const extended = usesExtendedParameters(open);
  const paramsLength = parametersLength(open, extended);
  let at = offset + 9;
  if (extended) {
    buf[at] = EXTENDED_PARAMETERS_MARK;
    buf[at + 1] = EXTENDED_PARAMETERS_MARK;
    writeU16(buf, at + 2, paramsLength);
    at += 4;
  } else {
    buf[at++] = paramsLength;
  }
  for (const p of open.parameters) {
    const length = parameterValueLength(p);
    buf[at++] = p.type === 'unknown' ? p.code : CAPABILITIES_PARAMETER;
    if (extended) {
      writeU16(buf, at, length);
      at += 2;
    } else {
      buf[at++] = length;
    }
    if (p.type === 'unknown') {
      buf.set(p.data, at);
      at += length;
    } else {
      for (const c of p.capabilities) at = encodeCapability(c, buf, at);
    }
  }
  return at;
}

/**
 * Decodes an OPEN body in [start, end). Checks only what the bytes themselves say (length
 * consistency, version, hold time 1-2 s, a zero BGP identifier); peer AS and capability
 * policy are the session's decisions.
 */
export function decodeOpenBody(buf: Uint8Array, start: number, end: number): OpenMessage | BgpError {
  const fail = (subcode: number, reason: string, offset: number, data?: Uint8Array): BgpError =>
    new BgpError({ code: ErrorCode.OPEN_MESSAGE, subcode, reason, offset, ...(data ? { data } : {}) });
  if (end - start < 10) {
    return new BgpError({ code: ErrorCode.MESSAGE_HEADER, subcode: 2, reason: `OPEN body is ${end - start} bytes, less than 10`, offset: start, data: u16(end - start + 19) });
  }
  const version = buf[start] as number;
  if (version !== 4) return fail(OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER, `version ${version}, only 4 is supported`, start, u16(4));
  const myAs = readU16(buf, start + 1);
  const holdTime = readU16(buf, start + 3);
  if (holdTime === 1 || holdTime === 2) return fail(OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime} s (must be 0 or at least 3)`, start + 3);
  const bgpId = formatIPv4(buf, start + 5);
  if (bgpId === '0.0.0.0') return fail(OpenErrorSubcode.BAD_BGP_IDENTIFIER, 'BGP identifier 0.0.0.0', start + 5);
  let at = start + 9;
  let paramsLength = buf[at++] as number;
  let extended = false;
  if (paramsLength === EXTENDED_PARAMETERS_MARK && at < end && buf[at] === EXTENDED_PARAMETERS_MARK) {
    if (end - at < 3) return fail(0, 'extended optional parameters length truncated', at);
    extended = true;
    paramsLength = readU16(buf, at + 1);
    at += 3;
  }
  if (at + paramsLength !== end) {
    return fail(0, `optional parameters length ${paramsLength} does not match the ${end - at} bytes that follow`, start + 9);
  }
  const parameters: OptionalParameter[] = [];
  while (at < end) {
    const headerLength = extended ? 3 : 2;
    if (end - at < headerLength) return fail(0, 'optional parameter header truncated', at);
    const code = buf[at] as number;
    const length = extended ? readU16(buf, at + 1) : (buf[at + 1] as number);
    const valueStart = at + headerLength;
    if (valueStart + length > end) return fail(0, `optional parameter ${code} length ${length} runs past the OPEN`, at);
    if (code === CAPABILITIES_PARAMETER) {
      const capabilities: Capability[] = [];
      for (let c = valueStart; c < valueStart + length; ) {
        if (valueStart + length - c < 2) return fail(0, 'capability header truncated', c);
        const capLength = buf[c + 1] as number;
        if (c + 2 + capLength > valueStart + length) return fail(0, `capability ${buf[c]} length ${capLength} runs past its parameter`, c);
        capabilities.push(decodeCapability(buf[c] as number, buf, c + 2, c + 2 + capLength));
        c += 2 + capLength;
      }
      parameters.push({ type: 'capabilities', capabilities });
    } else {
      parameters.push({ type: 'unknown', code, data: copyBytes(buf, valueStart, valueStart + length) });
    }
    at = valueStart + length;
  }
  return extended
    ? { type: 'open', version, myAs, holdTime, bgpId, parameters, extendedParameters: true }
    : { type: 'open', version, myAs, holdTime, bgpId, parameters };
}

function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  writeU16(out, 0, value);
  return out;
}
