// Public API of @lb/ip: the project's one vocabulary for addresses.
export {
  addressBits,
  bigIntToBytes,
  bytesToBigInt,
  canonicalIp,
  formatIPv4,
  formatIPv6,
  formatIp,
  ipFamily,
  parseIp,
  writeIPv4,
  writeIPv6,
  type IpFamily,
} from './address.js';
