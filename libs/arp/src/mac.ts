/** Ethernet MAC addresses as lower-case `aa:bb:cc:dd:ee:ff` strings, the form `ip link` prints. */

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';
/** IPv6 all-nodes multicast (ff02::1) mapped to Ethernet (RFC 2464 section 7). */
export const ALL_NODES_MAC = '33:33:00:00:00:01';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const MAC_PATTERN = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

/** Formats the six bytes at `offset`. Hot path of every decode: a table lookup per byte. */
export function formatMac(buf: Uint8Array, offset = 0): string {
  return (
    HEX[buf[offset] as number]! +
    ':' +
    HEX[buf[offset + 1] as number]! +
    ':' +
    HEX[buf[offset + 2] as number]! +
    ':' +
    HEX[buf[offset + 3] as number]! +
    ':' +
    HEX[buf[offset + 4] as number]! +
    ':' +
    HEX[buf[offset + 5] as number]!
  );
}

/** True for `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff` in either case. */
export function isMac(text: string): boolean {
  return MAC_PATTERN.test(text);
}

/** Canonical lower-case, colon-separated form; throws naming the bad input. */
export function normalizeMac(text: string): string {
  if (!isMac(text)) throw new TypeError(`"${text}" is not a MAC address (expected six hex pairs like 02:00:00:00:00:01)`);
  return text.toLowerCase().replaceAll('-', ':');
}

/** Writes a MAC string into `buf` at `offset`; throws on a malformed string (caller input, not network input). */
export function writeMac(mac: string, buf: Uint8Array, offset: number): void {
  if (mac.length === 17) {
    for (let i = 0; i < 6; i++) {
      const high = hexValue(mac.charCodeAt(i * 3));
      const low = hexValue(mac.charCodeAt(i * 3 + 1));
      if (high < 0 || low < 0 || (i < 5 && mac.charCodeAt(i * 3 + 2) !== 58 && mac.charCodeAt(i * 3 + 2) !== 45)) break;
      buf[offset + i] = (high << 4) | low;
      if (i === 5) return;
    }
  }
  throw new TypeError(`"${mac}" is not a MAC address (expected six hex pairs like 02:00:00:00:00:01)`);
}

/** 0..15 for a hex digit's char code, -1 otherwise; encode runs this per byte, so no regex or parseInt. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

export function parseMac(mac: string): Uint8Array {
  const out = new Uint8Array(6);
  writeMac(mac, out, 0);
  return out;
}

/** Group bit set: multicast or broadcast destinations. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}
