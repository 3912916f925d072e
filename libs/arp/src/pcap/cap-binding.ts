import { createRequire } from 'node:module';

/** The part of the `cap` (libpcap) binding this adapter uses. */
export interface CapHandle {
  open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
  send(buffer: Buffer, length?: number): void;
  close(): boolean;
  on(event: 'packet', listener: (bytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}

interface CapModule {
  Cap: new () => CapHandle;
}

let loaded: CapModule | undefined;

/**
 * Loads `cap` on first use only, so that nothing imports a native module until a capture is opened.
 * `cap` is an optional dependency: without it (or without libpcap) this says what to install.
 */
export function loadCap(): CapModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('cap') as CapModule;
    return loaded;
  } catch (error) {
    throw new Error(
      `@lb/arp/pcap needs the optional dependency "cap" (a libpcap binding built with node-gyp; install libpcap-dev, then npm install cap): ${(error as Error).message}`,
    );
  }
}
