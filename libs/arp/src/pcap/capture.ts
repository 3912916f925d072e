import { loadCap, type CapHandle } from './cap-binding.js';

/**
 * Kernel BPF program: ARP, and ICMPv6 neighbor solicitations (135) and advertisements (136) right
 * after the IPv6 header, untagged or behind one 802.1Q tag. Everything else never reaches Node.
 */
export const NEIGHBOR_DISCOVERY_FILTER =
  'arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136)) or (vlan and (arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))))';

/** The same without ARP: on an interface where the native fast path reads ARP, each frame has one reader. */
export const NDP_ONLY_FILTER = '(icmp6 and (ip6[40] == 135 or ip6[40] == 136)) or (vlan and icmp6 and (ip6[40] == 135 or ip6[40] == 136))';

export interface Capture {
  readonly interface: string;
  send(frame: Uint8Array): void;
  close(): void;
}

export interface CaptureOptions {
  /** Receives each frame in a buffer that is reused for the next one: copy what must outlive the call. */
  readonly onFrame: (buffer: Buffer, length: number, truncated: boolean) => void;
  /** libpcap's kernel ring size; frames arriving while Node is busy wait there. */
  readonly bufferBytes?: number;
  readonly filter?: string;
  /** Told when `onFrame` threw: the capture keeps running (an exception in cap's callback would end the process). */
  readonly onError?: (message: string) => void;
}

/**
 * Opens `iface` with libpcap: the filter above, immediate mode (cap sets it on Linux, so each frame
 * is delivered as it arrives rather than when a ring block fills), and sending through the same
 * handle.
 *
 * cap 0.2.1 aborts the whole process (an assert in its poll callback) when the interface goes down
 * or disappears while open. Use this inside a process that can be lost: `startLayer2` runs it in a
 * supervised child process for that reason.
 */
export function openCapture(iface: string, options: CaptureOptions): Capture {
  const { Cap } = loadCap();
  const handle: CapHandle = new Cap();
  const buffer = Buffer.alloc(65535);
  const linkType = handle.open(iface, options.filter ?? NEIGHBOR_DISCOVERY_FILTER, options.bufferBytes ?? 4 * 1024 * 1024, buffer);
  if (linkType !== 'ETHERNET') {
    handle.close();
    throw new Error(`interface ${iface} has link type ${linkType}; only Ethernet carries ARP and NDP here`);
  }
  handle.on('packet', (bytes, truncated) => {
    try {
      options.onFrame(buffer, Math.min(bytes, buffer.length), truncated);
    } catch (error) {
      try {
        options.onError?.(`handling a frame on ${iface}: ${error instanceof Error ? error.message : String(error)}`);
      } catch {
        // Nothing left to tell: the frame is dropped, the capture goes on.
      }
    }
  });
  let open = true;
  return {
    interface: iface,
    send(frame: Uint8Array): void {
      if (!open) throw new Error(`capture on ${iface} is closed`);
      handle.send(Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    },
    close(): void {
      if (!open) return;
      open = false;
      handle.removeAllListeners('packet');
      handle.close();
    },
  };
}
