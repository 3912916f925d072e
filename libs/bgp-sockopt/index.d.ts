/** A non-blocking, close-on-exec, unconnected TCP socket of the given family. */
export function createSocket(family: 4 | 6): number;
/** Sets (or with an empty key removes) the RFC 2385 key for `peer` on socket `fd`. */
export function setMd5(fd: number, peer: string, key: string): void;
/** IP_TTL (family 4) or IPV6_UNICAST_HOPS (family 6). */
export function setTtl(fd: number, family: 4 | 6, ttl: number): void;
/** Closes a socket created by createSocket that was never handed to net.Socket. */
export function closeSocket(fd: number): void;
