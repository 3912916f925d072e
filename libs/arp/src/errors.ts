/**
 * Why decode refused a frame. Each kind is also a responder drop reason, so a malformed frame is
 * counted under the same name whichever layer noticed it.
 */
export type DecodeErrorKind =
  /** The frame ends before a header or an option it announces. */
  | 'truncated'
  /** Neither ARP (0x0806) nor IPv6 (0x86dd), after at most one 802.1Q tag. */
  | 'unsupported-ethertype'
  /** ARP for something other than Ethernet/IPv4 (hardware type 1, protocol 0x0800, lengths 6 and 4). */
  | 'unsupported-hardware'
  /** IPv6 that is not a bare ICMPv6 Neighbor Solicitation or Advertisement. */
  | 'not-neighbor-discovery'
  /** IPv6 version field is not 6, or the payload length disagrees with the frame. */
  | 'bad-ipv6-header'
  /** RFC 4861 7.1: neighbor discovery must arrive with hop limit 255 (it was not forwarded). */
  | 'bad-hop-limit'
  | 'bad-checksum'
  /** ICMPv6 code other than 0. */
  | 'bad-code'
  /** An option of length zero, or a link-layer option in a message that forbids it. */
  | 'bad-option'
  /** The target address is multicast (RFC 4861 7.1.1 and 7.1.2). */
  | 'multicast-target'
  /** Duplicate address detection from :: not sent to the target's solicited-node group. */
  | 'bad-destination';

/**
 * A refused decode: returned, never thrown, so that a malformed frame costs a comparison and a
 * counter rather than an exception. `offset` is where in the buffer the problem was found.
 */
export class DecodeError {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly offset: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.kind} at byte ${this.offset}: ${this.message}`;
  }
}

/** What a codec's `decode` answers: the value and the bytes it took, or why it refused them. */
export type DecodeResult<T> = { readonly ok: true; readonly value: T; readonly length: number } | { readonly ok: false; readonly error: DecodeError };

/** A copy of [start, end): decoded values never share memory with the caller's (reused) buffer. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  out.set(buf.subarray(start, end));
  return out;
}
