/** Why the codec refused a datagram. */
export type DecodeFailure =
  /** The datagram ends before a field it announces. */
  | 'truncated'
  /** A protocol version this code does not speak. */
  | 'unsupported-version'
  /** A member name that is empty or not printable ASCII (node names are DNS subdomains). */
  | 'bad-name'
  /** A known body whose length disagrees with its type. */
  | 'bad-body-length'
  /** A 64-bit number beyond what a double holds exactly (2^53). */
  | 'bad-number'
  /** Bytes left after the last update. */
  | 'trailing-bytes';

/**
 * A refused decode: returned, never thrown, so that a malformed datagram costs a comparison and a
 * counter. `offset` is where in the buffer the problem was found.
 */
export class DecodeError {
  constructor(
    readonly reason: DecodeFailure,
    readonly offset: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.reason} at byte ${this.offset}: ${this.message}`;
  }
}

export function isDecodeError(value: unknown): value is DecodeError {
  return value instanceof DecodeError;
}
