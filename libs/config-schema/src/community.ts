// BGP communities as MetalLB writes them: a standard community "A:B" (two 16-bit numbers) or a
// large community "large:A:B:C" (three 32-bit numbers, RFC 8092).

export type BgpCommunity =
  | { readonly kind: 'standard'; readonly value: number; readonly text: string }
  | { readonly kind: 'large'; readonly globalAdministrator: number; readonly localData1: number; readonly localData2: number; readonly text: string };

/**
 * Why a text is not a community. `maybe-alias`: it is shaped like a name rather than a value, so
 * it may be an alias defined by a Community resource.
 */
export interface CommunityError {
  readonly kind: 'invalid-community' | 'maybe-alias';
  readonly message: string;
}

export type CommunityResult = { readonly ok: true; readonly value: BgpCommunity } | { readonly ok: false; readonly error: CommunityError };

const invalid = (message: string): CommunityResult => ({ ok: false, error: { kind: 'invalid-community', message } });

const DECIMAL = /^\d+$/;

export function parseCommunity(text: string): CommunityResult {
  const parts = text.split(':');
  if (parts.length === 2) {
    const [high = '', low = ''] = parts;
    for (const [part, label] of [
      [high, 'first'],
      [low, 'second'],
    ] as const) {
      if (!DECIMAL.test(part) || Number(part) > 0xffff) {
        return invalid(`community '${text}': ${label} part '${part}' must be a number from 0 to 65535`);
      }
    }
    return { ok: true, value: { kind: 'standard', value: Number(high) * 0x10000 + Number(low), text: `${Number(high)}:${Number(low)}` } };
  }
  if (parts.length === 4) {
    const [marker, ...numbers] = parts;
    if (marker !== 'large') {
      return invalid(`community '${text}': a four-part community must start with 'large:' (large:A:B:C)`);
    }
    const values: number[] = [];
    for (const part of numbers) {
      if (!DECIMAL.test(part) || Number(part) > 0xffffffff) {
        return invalid(`large community '${text}': '${part}' must be a number from 0 to 4294967295`);
      }
      values.push(Number(part));
    }
    const [globalAdministrator = 0, localData1 = 0, localData2 = 0] = values;
    return {
      ok: true,
      value: { kind: 'large', globalAdministrator, localData1, localData2, text: `large:${globalAdministrator}:${localData1}:${localData2}` },
    };
  }
  return { ok: false, error: { kind: 'maybe-alias', message: `'${text}' is neither a community (A:B or large:A:B:C) nor a known alias` } };
}

/** A stable key for comparing communities (equal values, equal keys). */
export const communityKey = (community: BgpCommunity): string => community.text;
