import { createRequire } from 'node:module';

/** The optional native addon @lb/bfd-socket (see its README); the types mirror its index.d.ts. */
export interface NativeSocket {
  open(
    options: { family: 4 | 6; address?: string; port: number; ttl?: number; tos?: number; receiveTtl?: boolean; reuseAddress?: boolean; device?: string; receiveBuffer?: number },
    onDatagram: (data: Buffer, sourceAddress: string, sourcePort: number, ttl: number, destination: string) => void,
  ): { id: number; port: number };
  send(id: number, data: Uint8Array, address: string, port: number): number;
  openPacket(device: string, echoPort?: number, onEcho?: (payload: Buffer, sourceAddress: string, ttl: number, destination: string) => void): number;
  sendPacket(id: number, mac: Uint8Array, packet: Uint8Array): number;
  close(id: number): void;
}

let cached: { native: NativeSocket } | { error: string } | undefined;

/** The addon, or why it could not be loaded. Loaded on first use, so the pure core never needs it. */
export function loadNativeSocket(): { native: NativeSocket } | { error: string } {
  if (!cached) {
    try {
      cached = { native: createRequire(import.meta.url)('@lb/bfd-socket') as NativeSocket };
    } catch (error) {
      cached = { error: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error) };
    }
  }
  return cached;
}
