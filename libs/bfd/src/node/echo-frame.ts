// Echo packets (RFC 5880 §6.4, RFC 5881 §4): an IPv4/UDP packet from our address to our address,
// handed to the peer's MAC so that its forwarding plane sends it straight back. Built here because
// the kernel would deliver a packet to our own address locally instead.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ECHO_PORT } from '../codec/constants.js';

const IPV4_HEADER = 20;
const UDP_HEADER = 8;

/** The IPv4 packet (header, UDP, `payload`) an echo leaves as; UDP checksum 0 is allowed on IPv4. */
export function echoIpv4Packet(address: string, payload: Uint8Array, options: { port?: number; id?: number } = {}): Uint8Array {
  const port = options.port ?? ECHO_PORT;
  const total = IPV4_HEADER + UDP_HEADER + payload.length;
  const packet = new Uint8Array(total);
  const view = new DataView(packet.buffer);
  const octets = address.split('.').map(Number);
  packet[0] = 0x45;
  packet[1] = 0xc0; // precedence "internetwork control", as control packets
  view.setUint16(2, total);
  view.setUint16(4, options.id ?? 0);
  view.setUint16(6, 0x4000); // don't fragment
  packet[8] = 255;
  packet[9] = 17;
  packet.set(octets, 12);
  packet.set(octets, 16);
  view.setUint16(10, ipv4HeaderChecksum(packet));
  view.setUint16(20, port);
  view.setUint16(22, port);
  view.setUint16(24, UDP_HEADER + payload.length);
  packet.set(payload, IPV4_HEADER + UDP_HEADER);
  return packet;
}

export function ipv4HeaderChecksum(packet: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < IPV4_HEADER; i += 2) if (i !== 10) sum += ((packet[i] as number) << 8) | (packet[i + 1] as number);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The interface that holds `address`, from the kernel's view of this network namespace. */
export function interfaceOf(address: string): string | undefined {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.address === address)) return name;
  }
  return undefined;
}

/** The MAC the kernel has resolved for `address` on `device` (/proc/net/arp), or undefined. */
export function neighborMac(address: string, device: string, arpTable = (): string => readFileSync('/proc/net/arp', 'utf8')): Uint8Array | undefined {
  for (const line of arpTable().split('\n').slice(1)) {
    const [ip, , flags, mac, , dev] = line.trim().split(/\s+/);
    // Flags 0x2 is ATF_COM: the entry is complete.
    if (ip === address && dev === device && mac && (Number(flags) & 0x2) !== 0) return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
  }
  return undefined;
}
