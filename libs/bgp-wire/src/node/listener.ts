import { EventEmitter } from 'node:events';
import { type Server, type Socket, createServer, isIPv4 } from 'node:net';
import { formatIp, parseIp } from '@lb/ip';
import { fdOf, loadSockopt } from './sockopt.js';

/** Something that takes inbound connections for one peer address (a BgpPeer). */
export interface InboundTarget {
  readonly peerAddress: string;
  readonly password: string | undefined;
  acceptConnection(socket: Socket): void;
}

export interface BgpListenerOptions {
  /** Default 179. Port 0 picks a free port (see `port` after `listen`). */
  readonly port?: number;
  /** Address to bind; default '::' (IPv6 and IPv4-mapped). */
  readonly host?: string;
}

/** Why an inbound connection was turned away, for logs. */
export interface RejectedConnection {
  readonly remoteAddress: string;
  readonly reason: string;
}

/**
 * One listening socket shared by every peer on a node (all sessions use port 179). Inbound
 * connections go to the peer registered for the remote address; others are closed at once.
 * Peers with a password get their TCP MD5 key installed on the listening socket, so the kernel
 * drops unsigned or wrongly signed SYNs before they reach us.
 */
export class BgpListener extends EventEmitter<{ rejected: [RejectedConnection]; 'server-error': [string] }> {
  private readonly server: Server;
  private readonly targets = new Map<string, InboundTarget>();
  private readonly options: BgpListenerOptions;

  constructor(options: BgpListenerOptions = {}) {
    super();
    this.options = options;
    this.server = createServer({ noDelay: true }, (socket) => this.connection(socket));
    // Accept failures (EMFILE and the like) after listen() must not end the process.
    this.server.on('error', (error) => {
      if (this.server.listening) this.emit('server-error', error.message);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port: this.options.port ?? 179, host: this.options.host ?? '::' }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    for (const target of this.targets.values()) this.installKey(target);
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  add(target: InboundTarget): void {
    this.targets.set(normalize(target.peerAddress), target);
    if (this.server.listening) this.installKey(target);
  }

  remove(target: InboundTarget): void {
    const key = normalize(target.peerAddress);
    if (this.targets.get(key) !== target) return;
    this.targets.delete(key);
    if (target.password && this.server.listening) this.setKey(target.peerAddress, '');
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private installKey(target: InboundTarget): void {
    if (target.password) this.setKey(target.peerAddress, target.password);
  }

  private setKey(peer: string, key: string): void {
    const native = loadSockopt();
    if ('error' in native) throw new Error(`TCP MD5 for ${peer} needs the @lb/bgp-sockopt addon, which did not load: ${native.error}`);
    const fd = fdOf(this.server);
    if (fd === undefined) throw new Error('TCP MD5: the listening socket has no file descriptor');
    // A dual-stack (IPv6) socket sees IPv4 peers as IPv4-mapped addresses.
    const address = this.server.address();
    const v6Socket = typeof address === 'object' && address?.family === 'IPv6';
    native.sockopt.setMd5(fd, v6Socket && isIPv4(peer) ? `::ffff:${peer}` : peer, key);
  }

  /** The connection handler: nothing may escape it, or the process ends. */
  private connection(socket: Socket): void {
    const remote = normalize(socket.remoteAddress ?? '');
    try {
      const target = this.targets.get(remote);
      if (!target) {
        socket.destroy();
        this.emit('rejected', { remoteAddress: remote, reason: 'no BGP peer is configured for this address' });
        return;
      }
      target.acceptConnection(socket);
    } catch (error) {
      socket.destroy();
      try {
        this.emit('rejected', { remoteAddress: remote, reason: `accepting failed: ${error instanceof Error ? error.message : String(error)}` });
      } catch {
        // A 'rejected' listener that throws: the connection is closed all the same.
      }
    }
  }
}

/** IPv4-mapped IPv6 text as plain IPv4, so one peer address matches either socket family. */
export function normalize(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return lower.slice(7);
  const bytes = parseIp(lower);
  return bytes ? formatIp(bytes) : lower;
}
