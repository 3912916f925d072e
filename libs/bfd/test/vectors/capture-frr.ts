// Regenerates frr-bfdd.json: real control packets between FRR's bfdd and us, captured on FRR's
// side with tcpdump, each with tcpdump's own reading of it (an independent decoder) for
// vectors.test.ts. Run as root: flock /tmp/lb-lab.lock node --import tsx --conditions=development test/vectors/capture-frr.ts
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { startTcpdump, waitFor } from '@lb/netlab';
import { OurBfd } from '../helpers/our-process.js';
import { bfdLab } from '../helpers/topology.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const net = bfdLab('bfcap');
const ours = OurBfd.start(net.lab, net.us);
try {
  const { ours: mine, theirs } = net.pair(1);
  const capture = await startTcpdump(net.lab, net.frr, net.frrLink, 'udp port 3784');
  net.bfdd.addPeer({ peer: mine, local: theirs, receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 });
  const key = await ours.add({ localAddress: mine, peerAddress: theirs, profile: { receiveInterval: 100, transmitInterval: 100 } });
  await ours.waitFor('up', key);
  await sleep(1000);
  net.bfdd.configurePeer({ peer: mine, local: theirs }, ['transmit-interval 200']);
  await sleep(1000);
  await ours.request({ cmd: 'update', session: key, profile: { receiveInterval: 150, transmitInterval: 150, detectMultiplier: 5 } });
  await sleep(1000);
  net.bfdd.configurePeer({ peer: mine, local: theirs }, ['shutdown']);
  await sleep(1500);
  net.bfdd.configurePeer({ peer: mine, local: theirs }, ['no shutdown']);
  await waitFor('up again', async () => (await ours.session(key)).state === 'Up');
  await sleep(500);
  await ours.request({ cmd: 'admin-down', session: key });
  await sleep(1500);
  const records = await capture.stop();
  // tcpdump reads UDP from port 49152 (FRR's first source port) as Broadcom LI; its reading copy
  // of the capture gets another source port.
  const pcap = readFileSync(capture.file);
  for (let at = 24; at + 16 <= pcap.length; at += 16 + pcap.readUInt32LE(at + 8)) {
    const udp = at + 16 + 14 + (pcap[at + 16 + 14]! & 0x0f) * 4;
    if (pcap.readUInt16BE(udp) === 49152) pcap.writeUInt16BE(50000, udp);
  }
  writeFileSync(`${capture.file}.read`, pcap);
  const text = execFileSync('tcpdump', ['-r', `${capture.file}.read`, '-n', '-vv'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  // tcpdump -vv prints each packet as a first line with the IP header, then indented lines.
  const readings = text.split(/\n(?=\d\d:\d\d:\d\d)/).map((block) => block.replace(/\s+/g, ' ').trim());
  const seen = new Set<string>();
  const packets = records.flatMap((record, i) => {
    const frame = record.frame;
    const ip = 14;
    const ihl = ((frame[ip] as number) & 0x0f) * 4;
    const payload = frame.subarray(ip + ihl + 8);
    const source = Array.from(frame.subarray(ip + 12, ip + 16)).join('.');
    const signature = `${source} ${payload[0]} ${payload[1]} ${Buffer.from(payload.subarray(12, 24)).toString("hex")}`;
    if (seen.has(signature)) return [];
    seen.add(signature);
    return [{ from: source === theirs ? 'frr' : 'ours', ttl: frame[ip + 8], hex: Buffer.from(payload).toString('hex'), tcpdump: readings[i] ?? '' }];
  });
  writeFileSync(
    new URL('./frr-bfdd.json', import.meta.url),
    JSON.stringify({ description: "Control packets between FRR 8.4's bfdd and @lb/bfd, captured on FRR's interface (unique by sender, first two bytes and intervals), with tcpdump -vv's reading of each.", packets }, null, 2) + '\n',
  );
  console.log(`${packets.length} packets (${packets.filter((p) => p.from === 'frr').length} from FRR)`);
} finally {
  await ours.stop();
  await net.lab.cleanup();
}
