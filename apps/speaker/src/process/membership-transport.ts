// The membership core on a UDP socket: every datagram and every deadline goes through
// Membership.handle; what it returns is sent, and its changes are handed to `onChanges`.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Membership } from '../membership/membership.js';
import { type MemberAddress, type MembershipChange, type MembershipInput, type MembershipView, type Now } from '../membership/types.js';
import { joinHostPort, splitHostPort } from './compose.js';

export interface TransportOptions {
  readonly name: string;
  readonly keys: readonly Uint8Array[];
  readonly bindAddress: string;
  readonly port: number;
  readonly members: readonly MemberAddress[];
  readonly onChanges: (changes: readonly MembershipChange[]) => void;
  readonly onError: (message: string) => void;
}

export const clock = (): Now => ({ mono: performance.now(), wall: Date.now() });

export class MembershipTransport {
  readonly membership: Membership;
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: TransportOptions) {
    this.membership = new Membership({ name: options.name, keys: options.keys, members: options.members }, clock());
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.options.bindAddress) ? 'udp6' : 'udp4', reuseAddr: false });
    this.socket = socket;
    socket.on('message', (bytes, rinfo) => this.run({ kind: 'datagram', from: joinHostPort(rinfo.address, rinfo.port), bytes }));
    socket.on('error', (error) => this.options.onError(`membership socket: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.run({ kind: 'tick' });
  }

  view(): MembershipView {
    return this.membership.membershipView();
  }

  setMembers(members: readonly MemberAddress[]): void {
    this.run({ kind: 'members', members });
  }

  setKeys(keys: readonly Uint8Array[]): void {
    this.run({ kind: 'keys', keys });
  }

  /** Tells the others we leave (they move our addresses at once), then closes the socket. */
  async leave(): Promise<void> {
    this.run({ kind: 'leave' });
    this.closed = true;
    clearTimeout(this.timer);
    // Let the leave datagrams go out before closing.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }

  private run(input: MembershipInput): void {
    if (this.closed) return;
    const out = this.membership.handle(clock(), input);
    for (const datagram of out.send) {
      const target = splitHostPort(datagram.to);
      if (!target) continue;
      this.socket?.send(datagram.bytes, target.port, target.host, (error) => {
        // A peer's address unreachable (its link is down) is expected during a failure.
        if (error && !/EHOSTUNREACH|ENETUNREACH|EPERM/.test(error.message)) this.options.onError(`membership send to ${datagram.member}: ${error.message}`);
      });
    }
    if (out.changes.length > 0) this.options.onChanges(out.changes);
    clearTimeout(this.timer);
    const delay = Math.max(0, this.membership.nextDeadline() - performance.now());
    if (Number.isFinite(delay)) this.timer = setTimeout(() => this.run({ kind: 'tick' }), delay);
  }
}
