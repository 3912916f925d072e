// Equality of JSON values, for "would this write change anything?". Object key order does not
// matter; an absent key and a key set to undefined are the same (neither survives JSON).

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bArr = b as unknown[];
    if (a.length !== bArr.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bArr[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let aCount = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    aCount++;
    if (!jsonEqual(ao[k], bo[k])) return false;
  }
  let bCount = 0;
  for (const k in bo) if (bo[k] !== undefined) bCount++;
  return aCount === bCount;
}
