// Sockets for the manager: the native addon when it loads (received TTL known, echo possible),
// node:dgram otherwise (received TTL unknown: the RFC 5881/5883 TTL checks are lost).
import { createSocket, type Socket } from 'node:dgram';
import { constants } from 'node:os';
import { SOURCE_PORT_MAX, SOURCE_PORT_MIN } from '../codec/constants.js';
import { type IpFamily } from '@lb/ip';
import { loadNativeSocket, type NativeSocket } from './native.js';

/** `ttl` undefined: this transport cannot see it. */
export type OnDatagram = (bytes: Uint8Array, sourceAddress: string, sourcePort: number, ttl: number | undefined, destination: string) => void;
/** A send that failed, by errno name (ENETUNREACH, EHOSTUNREACH...); counted, never thrown. */
export type OnSendError = (code: string) => void;

export interface Endpoint {
  close(): void;
}

export interface Sender extends Endpoint {
  readonly port: number;
  send(bytes: Uint8Array, address: string, port: number): void;
}

export interface EchoEndpoint extends Endpoint {
  send(mac: Uint8Array, packet: Uint8Array): void;
}

export interface BindOptions {
  readonly family: IpFamily;
  readonly address: string;
  /** Needed for an IPv6 link-local address. */
  readonly device?: string;
}

export interface Transport {
  readonly kind: 'native' | 'dgram';
  /** What is lost with this transport, in words; undefined when nothing is. */
  readonly limitation: string | undefined;
  readonly receivesTtl: boolean;
  /** Why echo packets cannot be sent, or undefined when they can. */
  readonly echoUnavailable: string | undefined;
  openReceiver(options: BindOptions & { port: number }, onDatagram: OnDatagram): Promise<Endpoint>;
  /** A socket with a source port in 49152-65535 (RFC 5881 §4) sending with TTL 255. */
  openSender(options: BindOptions, onError: OnSendError, random: () => number): Promise<Sender>;
  openEcho(device: string, port: number, onEcho: OnDatagram, onError: OnSendError): EchoEndpoint;
}

const TOS_INTERNETWORK_CONTROL = 0xc0;
/** One receiving socket serves every session of an address: room for a second of 1,000 sessions at 50 ms. */
const RECEIVE_BUFFER_BYTES = 4 << 20;
const PORT_ATTEMPTS = 200;

export const DGRAM_LIMITATION =
  'received TTL is not visible through node:dgram: packets from more than one hop away are accepted on single-hop sessions (RFC 5881 §5 GTSM protection lost; IP_MINTTL does not filter UDP on Linux) and multihop minimumTtl is not enforced; echo mode is unavailable';

/** The transport to use: 'auto' prefers the native addon and says what is lost without it. */
export function selectTransport(choice: 'auto' | 'native' | 'dgram'): { transport: Transport } | { error: string } {
  if (choice === 'dgram') return { transport: dgramTransport('node:dgram was chosen') };
  const loaded = loadNativeSocket();
  if ('native' in loaded) return { transport: nativeTransport(loaded.native) };
  if (choice === 'native') return { error: `the native addon @lb/bfd-socket is unavailable: ${loaded.error}` };
  return { transport: dgramTransport(`the native addon @lb/bfd-socket is unavailable (${loaded.error})`) };
}

function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}
/** Node's os.constants.errno maps names to numbers; the addon reports numbers. */
const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

function withCode(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const errno = (e as { errno?: unknown }).errno;
  if (typeof errno === 'number') Object.assign(e, { code: errnoName(errno) });
  return e;
}

/** Tries source ports from a random start until one binds. */
async function bindInRange<T>(random: () => number, bind: (port: number) => Promise<T>): Promise<T> {
  const span = SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1;
  const start = Math.floor(random() * span);
  let last: unknown;
  for (let i = 0; i < PORT_ATTEMPTS; i++) {
    try {
      return await bind(SOURCE_PORT_MIN + ((start + i) % span));
    } catch (error) {
      last = error;
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw last instanceof Error ? last : new Error(`no free source port in ${SOURCE_PORT_MIN}-${SOURCE_PORT_MAX}`);
}

export function nativeTransport(native: NativeSocket): Transport {
  const family = (f: IpFamily): 4 | 6 => (f === 'IPv4' ? 4 : 6);
  const device = (options: BindOptions) => (options.device ? { device: options.device } : {});
  return {
    kind: 'native',
    limitation: undefined,
    receivesTtl: true,
    echoUnavailable: undefined,
    async openReceiver(options, onDatagram) {
      try {
        const { id } = native.open({ family: family(options.family), address: options.address, port: options.port, receiveBuffer: RECEIVE_BUFFER_BYTES, ...device(options) }, (data, source, port, ttl, destination) =>
          onDatagram(data, source, port, ttl < 0 ? undefined : ttl, destination || options.address),
        );
        return { close: () => native.close(id) };
      } catch (error) {
        throw withCode(error);
      }
    },
    async openSender(options, onError, random) {
      return bindInRange(random, async (port) => {
        let opened: { id: number; port: number };
        try {
          // Nothing arrives on a sender's port; received TTLs are not asked for.
          opened = native.open({ family: family(options.family), address: options.address, port, ttl: 255, tos: TOS_INTERNETWORK_CONTROL, receiveTtl: false, ...device(options) }, () => undefined);
        } catch (error) {
          throw withCode(error);
        }
        return {
          port: opened.port,
          send(bytes, address, to) {
            const errno = native.send(opened.id, bytes, address, to);
            if (errno !== 0) onError(errnoName(errno));
          },
          close: () => native.close(opened.id),
        };
      });
    },
    openEcho(deviceName, port, onEcho, onError) {
      let id: number;
      try {
        id = native.openPacket(deviceName, port, (payload, source, ttl, destination) => onEcho(payload, source, port, ttl, destination));
      } catch (error) {
        throw withCode(error);
      }
      return {
        send(mac, packet) {
          const errno = native.sendPacket(id, mac, packet);
          if (errno !== 0) onError(errnoName(errno));
        },
        close: () => native.close(id),
      };
    },
  };
}

export function dgramTransport(why: string): Transport {
  const bind = (socket: Socket, address: string, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  const scoped = (options: BindOptions): string => (options.device && options.address.toLowerCase().startsWith('fe80') ? `${options.address}%${options.device}` : options.address);
  const socketOptions = (f: IpFamily) => (f === 'IPv4' ? { type: 'udp4' as const } : { type: 'udp6' as const, ipv6Only: true });
  return {
    kind: 'dgram',
    limitation: `${why}: ${DGRAM_LIMITATION}`,
    receivesTtl: false,
    echoUnavailable: `${why}; echo packets need it (they are sent below the IP stack)`,
    async openReceiver(options, onDatagram) {
      const socket = createSocket(socketOptions(options.family));
      socket.on('message', (data, rinfo) => onDatagram(data, rinfo.address, rinfo.port, undefined, options.address));
      // Errors after bind (ICMP-reported ones) concern sends, which this socket does not make.
      await bind(socket, scoped(options), options.port);
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch {
        // capped by net.core.rmem_max: the default queue still works
      }
      socket.on('error', () => undefined);
      return { close: () => socket.close() };
    },
    async openSender(options, onError, random) {
      return bindInRange(random, async (port) => {
        const socket = createSocket(socketOptions(options.family));
        await bind(socket, scoped(options), port).catch((error: unknown) => {
          socket.close();
          throw error;
        });
        socket.setTTL(255);
        socket.on('error', (error: NodeJS.ErrnoException) => onError(error.code ?? error.message));
        return {
          port,
          send(bytes, address, to) {
            socket.send(bytes, to, address, (error) => {
              if (error) onError((error as NodeJS.ErrnoException).code ?? error.message);
            });
          },
          close: () => socket.close(),
        };
      });
    },
    openEcho() {
      throw new Error(this.echoUnavailable);
    },
  };
}
