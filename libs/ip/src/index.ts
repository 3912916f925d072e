// Public API of @lb/ip.
export {
  bigIntToBytes,
  bytesToBigInt,
  canonicalIP,
  formatIP,
  formatIPv4,
  formatIPv6,
  ipVersion,
  parseIP,
  writeIPv4,
  writeIPv6,
  type IpVersion,
} from './address.js';
