// Daily time ranges ("09:00-17:00") and the interval arithmetic that turns windows, breaks and quiet
// hours into one list of allowed times of day. Times of day are milliseconds since local midnight
// (wall clock), so a holiday that starts at 12:00 and a window that ends at 17:00 use one unit.
import { CalendarError, quote, type CalendarField } from './errors';
import { DAY_MS, MINUTE_MS } from './local-date';

/** A half-open interval [start, end) in milliseconds: of the local day, or of the epoch for instants. */
export type Interval = readonly [start: number, end: number];

/** A daily range as text, `HH:mm-HH:mm` in local wall time, end exclusive, e.g. "09:00-17:00". */
export type TimeRangeText = string;

export const DEFAULT_WINDOWS: readonly TimeRangeText[] = ['09:00-17:00'];

const TIME_RANGE = /^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$/;

/**
 * Parses `HH:mm-HH:mm` into intervals of the local day. `24:00` is allowed as an end ("until
 * midnight"). A range whose end is before its start crosses midnight: it is accepted only with
 * `crossMidnight` (quiet hours such as 22:00-07:00) and becomes two intervals; windows and breaks must
 * lie within one day because "Monday's window" must not leak into a non-working Tuesday.
 */
export function parseTimeRange(text: string, field: CalendarField, crossMidnight = false): Interval[] {
  const m = typeof text === 'string' ? TIME_RANGE.exec(text.trim()) : null;
  if (!m) throw new CalendarError(field, text, `expected a local time range HH:mm-HH:mm (e.g. 09:00-17:00), got ${quote(text)}`);
  const start = timeOfDay(Number(m[1]), Number(m[2]), false);
  const end = timeOfDay(Number(m[3]), Number(m[4]), true);
  if (start === undefined || end === undefined) {
    throw new CalendarError(field, text, `${quote(text)} is not a valid time range: hours 00-23 (24:00 only as an end), minutes 00-59`);
  }
  if (start < end) return [[start, end]];
  if (start === end) throw new CalendarError(field, text, `${quote(text)} is empty: start and end are the same time`);
  if (!crossMidnight) {
    throw new CalendarError(field, text, `${quote(text)} crosses midnight, which ${field} may not do: split it into two ranges on the days you mean`);
  }
  const pieces: Interval[] = [[start, DAY_MS]];
  if (end > 0) pieces.unshift([0, end]);
  return pieces;
}

function timeOfDay(hour: number, minute: number, isEnd: boolean): number | undefined {
  if (minute > 59) return undefined;
  if (hour === 24 && minute === 0 && isEnd) return DAY_MS;
  if (hour > 23) return undefined;
  return (hour * 60 + minute) * MINUTE_MS;
}

/** Sorts and merges overlapping or touching intervals. */
export function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `base` minus `cuts`; both normalized (sorted, disjoint). */
export function subtract(base: readonly Interval[], cuts: readonly Interval[]): Interval[] {
  if (cuts.length === 0) return base.slice();
  const out: Interval[] = [];
  for (const [s0, e] of base) {
    let s = s0;
    for (const [cs, ce] of cuts) {
      if (ce <= s) continue;
      if (cs >= e) break;
      if (cs > s) out.push([s, cs]);
      s = Math.max(s, ce);
      if (s >= e) break;
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}

/** Formats milliseconds of the day as HH:mm (for messages and docs). */
export function formatTimeOfDay(ms: number): string {
  const minutes = Math.floor(ms / MINUTE_MS);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
