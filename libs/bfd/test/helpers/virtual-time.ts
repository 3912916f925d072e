/**
 * Runs a two-sided simulation on a virtual clock until `until`: whichever comes first, the next
 * packet in flight (delivered) or a side's deadline (ticked). Returns the clock's new value.
 */
export function runVirtual<P extends { readonly at: number }>(
  from: number,
  until: number,
  inFlight: P[],
  deadlines: { a: () => number; b: () => number },
  act: { deliver: (packet: P, now: number) => void; tick: (side: 'a' | 'b', now: number) => void },
): number {
  let now = from;
  for (;;) {
    const packetAt = inFlight.reduce((min, q) => Math.min(min, q.at), Infinity);
    const next = Math.min(packetAt, deadlines.a(), deadlines.b());
    if (next > until) return until;
    now = Math.max(now, next);
    if (packetAt === next) {
      const [packet] = inFlight.splice(inFlight.findIndex((q) => q.at === next), 1);
      if (packet) act.deliver(packet, now);
    } else {
      act.tick(deadlines.a() === next ? 'a' : 'b', now);
    }
  }
}
