/**
 * RFC 5880 §6.8.7: each periodic interval is the negotiated one reduced by a random 0-25%, so that
 * systems on one link never synchronise; with a detect multiplier of 1 it is 75-90%, so that the
 * next packet always arrives before the peer's detection time runs out.
 */
export function jitteredInterval(interval: number, detectMultiplier: number, random: () => number): number {
  const spread = detectMultiplier === 1 ? 0.15 : 0.25;
  return interval * (0.75 + spread * random());
}
