import { createSocket, type Socket } from 'node:dgram';
import { solicitedNodeAddress } from '../ip.js';

/**
 * Membership of the solicited-node groups of the announced IPv6 addresses on one interface. The
 * capture is promiscuous, so frames arrive anyway on a plain segment; joining makes the kernel send
 * MLD reports, so that switches doing MLD snooping forward the solicitations to this port at all.
 */
export class SolicitedNodeGroups {
  private socket: Socket | undefined;
  private readonly joined = new Set<string>();

  constructor(
    readonly iface: string,
    private readonly onError: (message: string) => void,
  ) {}

  /** Joins the groups of `addresses` and leaves the groups no address needs any more. */
  async reconcile(addresses: readonly string[]): Promise<void> {
    const wanted = new Set(addresses.map(solicitedNodeAddress));
    if (wanted.size === 0 && this.joined.size === 0) return;
    const socket = await this.ensureSocket();
    if (!socket) return;
    for (const group of wanted) {
      if (this.joined.has(group)) continue;
      try {
        socket.addMembership(group, `::%${this.iface}`);
        this.joined.add(group);
      } catch (error) {
        this.onError(`joining ${group} on ${this.iface}: ${(error as Error).message}`);
      }
    }
    for (const group of [...this.joined]) {
      if (wanted.has(group)) continue;
      this.joined.delete(group);
      try {
        socket.dropMembership(group, `::%${this.iface}`);
      } catch (error) {
        this.onError(`leaving ${group} on ${this.iface}: ${(error as Error).message}`);
      }
    }
  }

  groups(): string[] {
    return [...this.joined];
  }

  /** Closing the socket leaves every group. */
  close(): void {
    this.joined.clear();
    this.socket?.close();
    this.socket = undefined;
  }

  /** Bound to ::1 so that the port it needs is not reachable from the network. */
  private async ensureSocket(): Promise<Socket | undefined> {
    if (this.socket) return this.socket;
    const socket = createSocket({ type: 'udp6', reuseAddr: false });
    socket.on('error', (error) => this.onError(`multicast socket for ${this.iface}: ${error.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: '::1', port: 0 }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.onError(`multicast socket for ${this.iface}: ${(error as Error).message}`);
      socket.close();
      return undefined;
    }
    socket.unref();
    this.socket = socket;
    return socket;
  }
}
