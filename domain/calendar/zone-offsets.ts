// UTC offsets of a time zone, from luxon, cached as transition lists so that the send-time search
// costs map look-ups instead of an Intl formatting call per offset (about 4 µs each, too slow for
// 100,000 computations per second).
//
// How the cache is filled: time is cut into 16-day chunks. For a chunk we ask luxon for the offset at
// each UTC midnight of the chunk; where two neighbouring samples differ we binary-search the exact
// second the offset changes. This assumes a zone never changes its offset twice within 24 hours and
// returns to the first value (true of every zone in the tz database since 1970; the property test in
// test/calendar checks the result against luxon for every zone over two years).
import { IANAZone } from 'luxon';
import { DAY_MS } from './local-date';

const CHUNK_DAYS = 16;
const CHUNK_MS = CHUNK_DAYS * DAY_MS;
/** A cache bound per zone (about 180 years of chunks); past it the cache starts over. */
const MAX_CHUNKS = 4096;

/** From `at` (epoch ms) on, local wall time = instant + `offset` (ms). */
export interface Transition {
  readonly at: number;
  readonly offset: number;
}

interface Chunk {
  readonly firstOffset: number;
  /** Transitions strictly inside the chunk, ascending. Usually none, at most a couple. */
  readonly transitions: readonly Transition[];
}

/** A contiguous run of instants [start, end) sharing one UTC offset. */
export interface OffsetSegment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
}

export class ZoneOffsets {
  private readonly zone: IANAZone;
  private readonly chunks = new Map<number, Chunk>();

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  /** UTC offset in milliseconds at instant `t` (epoch ms). */
  offsetAt(t: number): number {
    const chunk = this.chunk(Math.floor(t / CHUNK_MS));
    let offset = chunk.firstOffset;
    for (const tr of chunk.transitions) {
      if (t < tr.at) break;
      offset = tr.offset;
    }
    return offset;
  }

  /** Local wall time of instant `t`, read as epoch ms (see local-date.ts). */
  wallOf(t: number): number {
    return t + this.offsetAt(t);
  }

  /** Whether the offset changes anywhere in (from, to]. */
  changesWithin(from: number, to: number): boolean {
    let offset = this.offsetAt(from);
    const last = Math.floor(to / CHUNK_MS);
    for (let i = Math.floor(from / CHUNK_MS); i <= last; i++) {
      const chunk = this.chunk(i);
      // A change exactly at a chunk start shows only as that chunk's firstOffset.
      if (i * CHUNK_MS > from && chunk.firstOffset !== offset) return true;
      for (const tr of chunk.transitions) {
        if (tr.at > to) return false;
        if (tr.at > from && tr.offset !== offset) return true;
        offset = tr.offset;
      }
    }
    return false;
  }

  /** Splits [from, to) into runs of constant offset, in order. */
  segments(from: number, to: number): OffsetSegment[] {
    const out: OffsetSegment[] = [];
    let start = from;
    let offset = this.offsetAt(from);
    const first = Math.floor(from / CHUNK_MS);
    const last = Math.floor((to - 1) / CHUNK_MS);
    for (let i = first; i <= last; i++) {
      const chunk = this.chunk(i);
      const chunkStart = i * CHUNK_MS;
      const changes = chunkStart > from && chunk.firstOffset !== offset
        ? [{ at: chunkStart, offset: chunk.firstOffset }, ...chunk.transitions]
        : chunk.transitions;
      for (const tr of changes) {
        if (tr.at <= start || tr.at >= to) continue;
        if (tr.offset === offset) continue;
        out.push({ start, end: tr.at, offset });
        start = tr.at;
        offset = tr.offset;
      }
    }
    out.push({ start, end: to, offset });
    return out;
  }

  private chunk(index: number): Chunk {
    const cached = this.chunks.get(index);
    if (cached) return cached;
    if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
    const built = this.build(index);
    this.chunks.set(index, built);
    return built;
  }

  private build(index: number): Chunk {
    const start = index * CHUNK_MS;
    const firstOffset = this.luxonOffset(start);
    const transitions: Transition[] = [];
    let previous = firstOffset;
    for (let day = 1; day <= CHUNK_DAYS; day++) {
      const sampleAt = start + day * DAY_MS;
      const sample = this.luxonOffset(sampleAt);
      if (sample === previous) continue;
      const at = this.findChange(sampleAt - DAY_MS, sampleAt, previous);
      // A change exactly at the next chunk's start belongs to that chunk (its firstOffset).
      if (at < start + CHUNK_MS) transitions.push({ at, offset: this.luxonOffset(at) });
      previous = sample;
    }
    return { firstOffset, transitions };
  }

  /** The first instant in (lo, hi] whose offset differs from `before` (which holds at lo). */
  private findChange(lo: number, hi: number, before: number): number {
    // luxon resolves offsets to the second, and tz transitions fall on whole seconds: search seconds.
    let a = Math.floor(lo / 1000);
    let b = Math.ceil(hi / 1000);
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.luxonOffset(mid * 1000) === before) a = mid;
      else b = mid;
    }
    return b * 1000;
  }

  private luxonOffset(t: number): number {
    return Math.round(this.zone.offset(t) * 60_000);
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The shared offset cache for a zone name (assumed valid: see isValidTimeZone). */
export function zoneOffsets(name: string): ZoneOffsets {
  let z = zones.get(name);
  if (!z) {
    z = new ZoneOffsets(name);
    zones.set(name, z);
  }
  return z;
}
