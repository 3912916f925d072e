// Fast, well-mixed 32-bit hashes. Every speaker must compute the same values from the same names,
// so these are fixed functions of the bytes (no seeds, no platform dependence). Not cryptographic:
// they place members on the ring and rank nodes for an address, where only uniformity matters and
// millions are computed per second.

/** FNV-1a over the UTF-16 code units of `text` (node names and keys are ASCII in practice). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** MurmurHash3's finalizer: every input bit affects every output bit. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The score of a (key, node) pair for rendezvous hashing, from the two strings' hashes. Two rounds
 * of mixing, so that the scores of one key across nodes (and of one node across keys) behave as
 * independent draws.
 */
export function pairScore(keyHash: number, nodeHash: number): number {
  return mix32(mix32(keyHash ^ Math.imul(nodeHash, 0x9e3779b1)) + nodeHash);
}
