import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIPv6 } from '../ip.js';

/** Kernel interface flags (linux/if.h) that decide whether an interface is used. */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_NOARP = 0x80;
/** ARPHRD_ETHER: the only link type whose frames this library speaks. */
const ARPHRD_ETHER = 1;

export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mac: string;
  readonly flags: number;
  /** ARPHRD_* from /sys/class/net/<name>/type. */
  readonly type: number;
  /** Enslaved to a bridge or bond (it has a master): its frames belong to the master. */
  readonly enslaved: boolean;
  /** First IPv6 link-local address, if any. */
  readonly linkLocal?: string;
}

export interface Eligibility {
  readonly arp: boolean;
  readonly ndp: boolean;
  /** Why neither is used, when that is so. */
  readonly excludedBecause?: string;
}

/**
 * MetalLB's rules (internal/layer2/announcer.go): skip names matching the exclude pattern,
 * interfaces that are not UP, that have a master, or that have NOARP; answer ARP where BROADCAST is
 * set and NDP where there is an IPv6 link-local address. One rule more: the link must be Ethernet,
 * because the frames are.
 */
export function eligibility(link: LinkInfo, exclude?: RegExp): Eligibility {
  const none = (excludedBecause: string): Eligibility => ({ arp: false, ndp: false, excludedBecause });
  if (exclude?.test(link.name)) return none(`name matches ${String(exclude)}`);
  if ((link.flags & IFF_UP) === 0) return none('not UP');
  if (link.enslaved) return none('enslaved to a master');
  if ((link.flags & IFF_NOARP) !== 0) return none('NOARP');
  if (link.type !== ARPHRD_ETHER) return none(`link type ${link.type} is not Ethernet`);
  const arp = (link.flags & IFF_BROADCAST) !== 0;
  const ndp = link.linkLocal !== undefined;
  return arp || ndp ? { arp, ndp } : none('neither BROADCAST nor an IPv6 link-local address');
}

/**
 * The network namespace's interfaces, read from sysfs and /proc/net/if_inet6 (no netlink needed;
 * both are per-namespace). Interfaces that vanish while being read are left out.
 */
export function listLinks(sysfs = '/sys/class/net', ifInet6 = '/proc/net/if_inet6'): LinkInfo[] {
  const linkLocals = readLinkLocals(ifInet6);
  const links: LinkInfo[] = [];
  let names: string[];
  try {
    names = readdirSync(sysfs);
  } catch {
    return [];
  }
  for (const name of names) {
    try {
      const dir = join(sysfs, name);
      const read = (file: string): string => readFileSync(join(dir, file), 'utf8').trim();
      const linkLocal = linkLocals.get(name);
      links.push({
        name,
        index: Number(read('ifindex')),
        mac: read('address'),
        flags: Number.parseInt(read('flags'), 16),
        type: Number(read('type')),
        enslaved: existsSync(join(dir, 'master')),
        ...(linkLocal ? { linkLocal } : {}),
      });
    } catch {
      // removed between readdir and read
    }
  }
  return links.sort((a, b) => a.index - b.index);
}

/** Lines are `address(32 hex) ifindex prefixlen scope flags name`; scope 0x20 is link-local. */
export function parseIfInet6(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [hex, , , scope, , name] = line.trim().split(/\s+/);
    if (!hex || hex.length !== 32 || scope !== '20' || !name || out.has(name)) continue;
    out.set(name, formatIPv6(Uint8Array.from(Buffer.from(hex, 'hex'))));
  }
  return out;
}

function readLinkLocals(path: string): Map<string, string> {
  try {
    return parseIfInet6(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}
