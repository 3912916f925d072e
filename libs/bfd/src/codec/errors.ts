/** Why `controlPacket.decode` refused some bytes (RFC 5880 §4 and the length rules of §6.8.6). */
export type DecodeFailure =
  /** Fewer bytes than the mandatory section, or than the Length field announces. */
  | 'truncated'
  /** Version other than 1: the rest of the layout is unknown, so nothing is read. */
  | 'unsupported-version'
  /** Length below 24 (26 with the A bit), or an authentication section that does not fit in it. */
  | 'bad-length'
  /** An authentication section whose Auth Len does not match its type (RFC 5880 §4.2-4.4). */
  | 'bad-authentication';

/**
 * A refused decode: returned inside `{ ok: false, error }`, never thrown, so that a malformed packet
 * costs a comparison and a counter. `offset` is where in the buffer the problem was found.
 */
export class BfdDecodeError {
  constructor(
    readonly reason: DecodeFailure,
    readonly offset: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.reason} at byte ${this.offset}: ${this.message}`;
  }
}
