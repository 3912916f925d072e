export interface OpenOptions {
  readonly family: 4 | 6;
  /** Local address to bind; the wildcard when empty. */
  readonly address?: string;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** TTL / hop limit of sent datagrams (default 255). */
  readonly ttl?: number;
  /** IP_TOS / IPV6_TCLASS of sent datagrams (default 0: the system's). */
  readonly tos?: number;
  /** Report each datagram's TTL / hop limit (default true). */
  readonly receiveTtl?: boolean;
  readonly reuseAddress?: boolean;
  /** SO_RCVBUF in bytes (SO_RCVBUFFORCE when permitted); 0 keeps the system default. */
  readonly receiveBuffer?: number;
  /** SO_BINDTODEVICE, and the scope of an IPv6 link-local `address`. */
  readonly device?: string;
}

/** `ttl` is -1 when the kernel did not report it; `destination` is our address it was sent to. */
export type OnDatagram = (data: Buffer, sourceAddress: string, sourcePort: number, ttl: number, destination: string) => void;

/** Binds a UDP socket and reads it on Node's event loop; throws an Error with `errno` on failure. */
export function open(options: OpenOptions, onDatagram: OnDatagram): { id: number; port: number };
/** Sends one datagram; returns 0 or the errno (never throws for network errors). */
export function send(id: number, data: Uint8Array, address: string, port: number): number;
/**
 * An AF_PACKET socket on `device` (needs CAP_NET_RAW) that sends IPv4 packets to a given MAC and,
 * with `onEcho`, receives IPv4/UDP packets to `echoPort` below the IP stack (which drops packets
 * from our own address as martians).
 */
export function openPacket(device: string, echoPort?: number, onEcho?: OnEcho): number;
/** Sends an IPv4 packet (header included) to `mac` through the device of `id`; returns 0 or the errno. */
export function sendPacket(id: number, mac: Uint8Array, packet: Uint8Array): number;
/** Closes a socket of either kind; unknown ids are ignored. */
export function close(id: number): void;
/** The UDP payload of a received echo packet, its IP source, TTL and destination. */
export type OnEcho = (payload: Buffer, sourceAddress: string, ttl: number, destination: string) => void;
