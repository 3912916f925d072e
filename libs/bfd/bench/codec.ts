import { opsPerSecond, round, spreadRows, summarize, type BenchResult } from '@lb/bench-kit';
import { controlPacket } from '../src/index.js';
import { packetOf } from '../test/helpers/packets.js';

const packet = packetOf({ state: 'Up', myDiscriminator: 0x197730b8, yourDiscriminator: 0xf901628e, desiredMinTxInterval: 100_000, requiredMinRxInterval: 100_000, requiredMinEchoRxInterval: 50_000 });

/** Encode into one reused buffer (as the manager could) and decode of the same 24 bytes. */
export function codecRows(): BenchResult[] {
  const buf = new Uint8Array(24);
  const wire = controlPacket.encode(packet);
  let sink = 0;
  const encode = summarize(opsPerSecond(() => void (sink += controlPacket.encode(packet, buf, 0)[3] as number), 100_000, 1500));
  // Results are kept in a ring, as a receive path hands them on, so the allocation is not optimised away.
  const kept: unknown[] = new Array(64);
  let i = 0;
  const decode = summarize(
    opsPerSecond(() => {
      const r = controlPacket.decode(wire);
      kept[i++ & 63] = r;
      if (r.ok) sink += r.value.detectMultiplier;
    }, 100_000, 1500),
  );
  if (sink === 42) console.log(kept.length);
  const rows: BenchResult[] = [];
  for (const [name, s] of [['encode', encode], ['decode', decode]] as const) {
    rows.push(...spreadRows(`codec ${name} rate`, { ...s, median: s.median / 1e6, min: s.min / 1e6, max: s.max / 1e6 }, 'M packets/s', null));
    // The goal (>= 2 M packets/s) as a ceiling on time per packet, which is what limits compare.
    rows.push({ name: `codec ${name} time per packet (median)`, value: round(1e9 / s.median), unit: 'ns', limit: 500 });
  }
  return rows;
}
