import { createRequire } from 'node:module';

/** The optional native addon (@lb/bgp-sockopt): what Node's net module cannot do for BGP. */
export interface Sockopt {
  createSocket(family: 4 | 6): number;
  setMd5(fd: number, peer: string, key: string): void;
  setTtl(fd: number, family: 4 | 6, ttl: number): void;
  closeSocket(fd: number): void;
}

let cached: { sockopt: Sockopt } | { error: string } | undefined;

/**
 * The addon, or why it could not be loaded (not installed, not built for this platform). Loaded
 * on first use so that the library, and sessions without MD5 or TTL, never need it.
 */
export function loadSockopt(): { sockopt: Sockopt } | { error: string } {
  if (!cached) {
    try {
      cached = { sockopt: createRequire(import.meta.url)('@lb/bgp-sockopt') as Sockopt };
    } catch (error) {
      cached = { error: error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error) };
    }
  }
  return cached;
}

/**
 * The file descriptor behind a net.Socket or net.Server. Node keeps it on the internal handle
 * (`_handle.fd`, Linux/macOS only); there is no public accessor.
 */
export function fdOf(owner: object): number | undefined {
  const fd = (owner as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}
