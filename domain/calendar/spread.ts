// Spreading: a stable, per-key position inside the allowed time, so a cohort released at once does not
// all send at the window's first second. The position depends only on the key (not on the day), so a
// customer whose request arrives before the window opens gets the same time of day every day.
import type { Interval } from './windows';

const TWO_POW_53 = 2 ** 53;

/**
 * A deterministic fraction in [0, 1) for `key`: cyrb53 (a public-domain 53-bit string hash by
 * bryc) of the key's UTF-16 code units, divided by 2^53. Stable across processes, platforms and
 * releases: changing it would move every customer's send time, so treat it as a stored format.
 */
export function spreadFraction(key: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)) / TWO_POW_53;
}

/**
 * The instant `fraction` of the way through the allowed time in `intervals` (sorted instants) that
 * lies at or after `from`, counted in whole seconds of allowed time (breaks and DST gaps do not
 * count). Returns `from` when less than a second of allowed time remains. `from` must be inside one
 * of the intervals.
 */
export function pointWithin(intervals: readonly Interval[], from: number, fraction: number): number {
  let total = 0;
  for (const [s, e] of intervals) if (e > from) total += e - Math.max(s, from);
  let offset = Math.floor(fraction * Math.floor(total / 1000)) * 1000;
  for (const [s, e] of intervals) {
    if (e <= from) continue;
    const start = Math.max(s, from);
    if (offset < e - start) return start + offset;
    offset -= e - start;
  }
  return from;
}
