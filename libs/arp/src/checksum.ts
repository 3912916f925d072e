/** The Internet checksum (RFC 1071) as used by ICMPv6 over the IPv6 pseudo-header (RFC 8200 8.1). */

/** Adds the 16-bit big-endian words of `buf[start..end)` to `sum`; an odd last byte is padded with zero. */
export function sumWords(buf: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((buf[i] as number) << 8) | (buf[i + 1] as number);
  if (i < end) sum += (buf[i] as number) << 8;
  return sum;
}

export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/**
 * ICMPv6 checksum of `buf[start..end)` with the source and destination addresses read from
 * `buf` at `srcOffset`/`dstOffset`. The checksum field itself must be zero, or its current value is
 * included (then a correct message sums to zero).
 */
export function icmpv6Checksum(buf: Uint8Array, start: number, end: number, srcOffset: number, dstOffset: number): number {
  let sum = sumWords(buf, srcOffset, srcOffset + 16);
  sum = sumWords(buf, dstOffset, dstOffset + 16, sum);
  const length = end - start;
  sum += Math.floor(length / 0x10000) + (length & 0xffff) + 58;
  return foldChecksum(sumWords(buf, start, end, sum));
}
