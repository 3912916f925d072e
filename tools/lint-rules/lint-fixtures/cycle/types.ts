// The cycle bgp-wire/src/session had (types.ts <-> negotiation.ts), type-only on both sides.
import { type Negotiated } from './negotiation.js';

export type Family = 'ipv4-unicast' | 'ipv6-unicast';
export type SessionEvent = { readonly type: 'established'; readonly negotiated: Negotiated };
