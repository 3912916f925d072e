/** Why the codec refused a datagram. */
export type DecodeErrorKind =
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
    readonly kind: DecodeErrorKind,
    readonly offset: number,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.kind} at byte ${this.offset}: ${this.message}`;
  }
}

/** What the codec's `decode` answers: the message and the bytes it took, or why it refused them. */
export type DecodeResult<T> = { readonly ok: true; readonly value: T; readonly length: number } | { readonly ok: false; readonly error: DecodeError };
