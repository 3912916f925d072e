import { describeError } from './constants.js';
import { type Nlri } from './nlri.js';

/**
 * What RFC 7606 says a receiver does about an error: reset the session with a NOTIFICATION,
 * disable the address family, treat the UPDATE's routes as withdrawn, or drop just the attribute.
 */
export type ErrorAction = 'session-reset' | 'afi-safi-disable' | 'treat-as-withdraw' | 'attribute-discard';

/** Routes of one address family that a treat-as-withdraw UPDATE takes away. */
export interface WithdrawnRoutes {
  readonly afi: number;
  readonly safi: number;
  readonly nlri: readonly Nlri[];
}

/** What went wrong, named after the RFC 4271 NOTIFICATION error code that reports it. */
export type BgpErrorKind =
  | 'message-header-error'
  | 'open-message-error'
  | 'update-message-error'
  | 'hold-timer-expired'
  | 'fsm-error'
  | 'cease'
  | 'route-refresh-message-error'
  | 'unknown-error-code';

const kinds: Record<number, BgpErrorKind> = {
  1: 'message-header-error',
  2: 'open-message-error',
  3: 'update-message-error',
  4: 'hold-timer-expired',
  5: 'fsm-error',
  6: 'cease',
  7: 'route-refresh-message-error',
};

/**
 * A decoding failure, returned (never thrown) by `decode`. It carries what the NOTIFICATION for
 * it would say (code, subcode, data), the RFC 7606 action, and where in the input it was found.
 */
export class BgpError {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly action: ErrorAction;
  /** What was wrong, in words, naming the field. */
  readonly reason: string;
  /** Byte offset in the decoded buffer where the problem was found. */
  readonly offset: number;
  /** For treat-as-withdraw: the routes the UPDATE carried, which the receiver must withdraw. */
  readonly withdrawn: readonly WithdrawnRoutes[];

  constructor(init: {
    code: number;
    subcode: number;
    reason: string;
    offset: number;
    action?: ErrorAction;
    data?: Uint8Array;
    withdrawn?: readonly WithdrawnRoutes[];
  }) {
    this.code = init.code;
    this.subcode = init.subcode;
    this.reason = init.reason;
    this.offset = init.offset;
    this.action = init.action ?? 'session-reset';
    this.data = init.data ?? new Uint8Array(0);
    this.withdrawn = init.withdrawn ?? [];
  }

  /** The error code as a name, so that the error reads like every other error of the project. */
  get kind(): BgpErrorKind {
    return kinds[this.code] ?? 'unknown-error-code';
  }

  /** e.g. "UPDATE Message Error / Invalid Network Field: NLRI prefix length 33 > 32 at offset 27". */
  get message(): string {
    return `${describeError(this.code, this.subcode)}: ${this.reason} at offset ${this.offset}`;
  }

  /** A copy with a different action (RFC 7606 escalations and per-attribute rules). */
  withAction(action: ErrorAction, withdrawn: readonly WithdrawnRoutes[] = this.withdrawn): BgpError {
    return new BgpError({ ...this, action, withdrawn });
  }

  toString(): string {
    return `BgpError(${this.action}): ${this.message}`;
  }
}
