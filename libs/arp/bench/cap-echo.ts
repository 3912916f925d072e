// The floor for any responder built on cap in Node: answers ARP for one address by patching bytes,
// with no decoding, no decision and no encoding. Run next to the real responder in the latency
// benchmark, so the report separates what Node + libpcap cost from what @lb/arp adds.
// Usage: cap-echo.ts IFACE IPV4
import { loadCap } from '../src/pcap/cap-binding.js';
import { listLinks } from '../src/pcap/discovery.js';
import { parseMac } from '../src/mac.js';

const [iface = '', ip = ''] = process.argv.slice(2);
const mac = Buffer.from(parseMac(listLinks().find((l) => l.name === iface)!.mac));
const target = Buffer.from(ip.split('.').map(Number));
const { Cap } = loadCap();
const cap = new Cap();
const frame = Buffer.alloc(65535);
cap.open(iface, 'arp', 4 << 20, frame);
const reply = Buffer.alloc(42);
cap.on('packet', () => {
  if (frame[21] !== 1 || !frame.subarray(38, 42).equals(target)) return;
  frame.copy(reply, 0, 6, 12); // to the asker
  mac.copy(reply, 6);
  frame.copy(reply, 12, 12, 20); // ethertype, hardware/protocol types and lengths
  reply[20] = 0;
  reply[21] = 2;
  mac.copy(reply, 22);
  target.copy(reply, 28);
  frame.copy(reply, 32, 22, 32); // asker's MAC and IPv4 become the target
  cap.send(reply, 42);
});
console.log('ready');
