// The membership protocol's messages, as values. Every datagram is one message: a header naming
// sender and recipient (both covered by the HMAC, so a message cannot be replayed to another
// member), a body of one type, and membership updates riding along (piggybacked gossip).

export const PROTOCOL_VERSION = 1;

/** Body type codes on the wire. Codes not listed here decode as `unknown` and pass through. */
export const BODY_CODES = {
  heartbeat: 1,
  ping: 2,
  ack: 3,
  'probe-request': 4,
  'probe-reply': 5,
  news: 6,
  'sync-request': 7,
  join: 8,
} as const;

export type KnownBodyType = keyof typeof BODY_CODES;

/** Update status codes. Others decode as numbers and are ignored by the state machine. */
export const STATUS_CODES = { alive: 1, dead: 2, left: 3 } as const;
export type KnownStatus = keyof typeof STATUS_CODES;

export interface Header {
  readonly sender: string;
  readonly recipient: string;
  /** The sender process's epoch: its wall clock (ms) when it started; a restart starts a newer one. */
  readonly epoch: number;
  /** Per sender and epoch, one more for every datagram it sends (to anyone). */
  readonly sequence: number;
  /** The sender's wall clock (ms) when it sent this; receivers refuse what is too old or too new. */
  readonly timestamp: number;
  /** The sender's own incarnation: raised to refute a false death. */
  readonly incarnation: number;
  /** How long the sender still holds itself back from owning addresses (ms; 0 = eligible). */
  readonly holdDownMs: number;
}

/** Sent every heartbeat interval to the sender's monitors; `digest` summarises its view. */
export interface HeartbeatBody {
  readonly type: 'heartbeat';
  readonly digest: number;
}

/** A direct probe: answer with an ack carrying the same id. */
export interface PingBody {
  readonly type: 'ping';
  readonly probe: number;
}

export interface AckBody {
  readonly type: 'ack';
  readonly probe: number;
}

/** "Have you heard from `target`?" (SWIM's ping-req), sent while suspecting it. */
export interface ProbeRequestBody {
  readonly type: 'probe-request';
  readonly probe: number;
  readonly target: string;
}

/** The helper's answer: `alive` with the target's epoch and incarnation, or no contact. */
export interface ProbeReplyBody {
  readonly type: 'probe-reply';
  readonly probe: number;
  readonly target: string;
  readonly alive: boolean;
  readonly targetEpoch: number;
  readonly targetIncarnation: number;
}

/** Only updates: a death or a return being spread, or a state transfer. */
export interface NewsBody {
  readonly type: 'news';
}

/**
 * A starting member announcing itself (its header says alive, with its new epoch and hold-down),
 * sent directly to every member it expects; receivers need not pass it on.
 */
export interface JoinBody {
  readonly type: 'join';
}

/** Asks for the recipient's whole member table (on joining, after isolation, when digests differ). */
export interface SyncRequestBody {
  readonly type: 'sync-request';
  readonly digest: number;
}

/** A body type this version does not know, kept byte for byte. */
export interface UnknownBody {
  readonly type: 'unknown';
  readonly code: number;
  readonly payload: Uint8Array;
}

export type Body = HeartbeatBody | PingBody | AckBody | ProbeRequestBody | ProbeReplyBody | NewsBody | JoinBody | SyncRequestBody | UnknownBody;

/** What one member believes about another (or itself). */
export interface Update {
  readonly member: string;
  readonly epoch: number;
  readonly incarnation: number;
  /** A STATUS_CODES value; other values are carried but mean nothing to this version. */
  readonly status: number;
  /** For alive: how long the member is still held down, as the sender saw it (ms). */
  readonly holdDownMs: number;
}

export interface Message {
  readonly header: Header;
  readonly body: Body;
  readonly updates: readonly Update[];
}
