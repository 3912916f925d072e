// Address text <-> bytes. Hand-written rather than a library because it sits on the hot path of
// every NLRI (100k prefixes per table) and must never throw on wire bytes.

/** Dotted quad of four bytes at `offset`. */
export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Writes a dotted quad into `out` at `offset`; false when `text` is not an IPv4 address. */
export function writeIPv4(text: string, out: Uint8Array, offset = 0): boolean {
  let octet = 0;
  let digits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || index > 2) return false;
      out[offset + index++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // Leading zeros are refused: "010" is octal to some parsers and decimal to others.
      if (digits > 0 && octet === 0) return false;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  if (digits === 0 || index !== 3) return false;
  out[offset + 3] = octet;
  return true;
}

/** RFC 5952 text of sixteen bytes at `offset`: lowercase, longest zero run (≥ 2 groups) as `::`. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((buf[offset + 2 * i] ?? 0) << 8) | (buf[offset + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** Writes an IPv6 address (with optional dotted IPv4 tail) into `out`; false when invalid. */
export function writeIPv6(text: string, out: Uint8Array, offset = 0): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = parseGroups(halves[0] ?? '', true);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : undefined;
  if (!head || (halves.length === 2 && !tail)) return false;
  const groups = tail ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (tail && head.length + tail.length > 7) return false;
  if (groups.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as number;
    out[offset + 2 * i] = g >> 8;
    out[offset + 2 * i + 1] = g & 0xff;
  }
  return true;
}

function parseGroups(part: string, allowDottedTail: boolean): number[] | undefined {
  if (part === '') return [];
  const fields = part.split(':');
  const groups: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (allowDottedTail && i === fields.length - 1 && field.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!writeIPv4(field, v4)) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(field)) return undefined;
    groups.push(parseInt(field, 16));
  }
  return groups;
}

/** 4 or 16 bytes of an address, or undefined when `text` is neither an IPv4 nor an IPv6 address. */
export function parseIP(text: string): Uint8Array | undefined {
  if (text.includes(':')) {
    const out = new Uint8Array(16);
    return writeIPv6(text, out) ? out : undefined;
  }
  const out = new Uint8Array(4);
  return writeIPv4(text, out) ? out : undefined;
}

export function formatIP(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** Address family of a textual address: 4, 6, or 0 when it is neither. */
export function ipFamily(text: string): 0 | 4 | 6 {
  const bytes = parseIP(text);
  return bytes === undefined ? 0 : bytes.length === 4 ? 4 : 6;
}
