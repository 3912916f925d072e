import { type DecodeErrorKind } from './errors.js';

/** Why the responder left a well-formed frame unanswered (MetalLB's drop reasons, plus VLAN and own-frame). */
export type ResponderDrop =
  /** The frame arrived on an interface the responder was not told about. */
  | 'unknown-interface'
  /** Sent from this interface's own MAC: our own announcements, or a loop. */
  | 'own-frame'
  /** Tagged for a VLAN other than the interface's, or tagged where the interface is untagged (and the reverse). */
  | 'other-vlan'
  /** An ARP reply or other operation, or a neighbor advertisement: nothing to answer. */
  | 'not-a-request'
  /** Neither broadcast nor addressed to this interface (for NDP: nor to the target's solicited-node group). */
  | 'ethernet-destination'
  /** NDP sent to an IPv6 address that is neither the target nor its solicited-node group. */
  | 'ipv6-destination'
  /** Nobody asked this node to announce the target address. */
  | 'not-announced'
  /** The target is announced, but not on the interface the request came in on. */
  | 'not-announced-on-interface';

export type DropReason = DecodeErrorKind | ResponderDrop;

export const DROP_REASONS: readonly DropReason[] = Object.freeze([
  'truncated',
  'unsupported-ethertype',
  'unsupported-hardware',
  'not-neighbor-discovery',
  'bad-ipv6-header',
  'bad-hop-limit',
  'bad-checksum',
  'bad-code',
  'bad-option',
  'multicast-target',
  'bad-destination',
  'unknown-interface',
  'own-frame',
  'other-vlan',
  'not-a-request',
  'ethernet-destination',
  'ipv6-destination',
  'not-announced',
  'not-announced-on-interface',
]);
