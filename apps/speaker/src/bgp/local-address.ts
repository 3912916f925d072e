// The address the kernel would send from towards a peer: our BGP next hop when the BGPPeer sets
// no sourceAddress. A connected UDP socket learns it from the routing table without sending
// anything.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';

export function localAddressTowards(peerAddress: string, port = 179): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(peerAddress) === 6 ? 'udp6' : 'udp4');
    const fail = (error: Error): void => {
      socket.close();
      reject(new Error(`no route towards ${peerAddress}: ${error.message}`));
    };
    socket.once('error', fail);
    socket.connect(port, peerAddress, () => {
      try {
        const address = socket.address().address;
        socket.close();
        resolve(address);
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}
