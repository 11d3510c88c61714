// The send-time search: the earliest instant at or after a given one that lies in the customer's
// business hours, in their zone, on their working days, outside holidays, breaks and quiet hours.
//
// The model: an instant t is allowed when its local wall-clock time (t + offset(t)) falls on a local
// date whose allowed times of day (windows minus breaks, quiet hours and holiday blocks; nothing on
// non-working days) contain the wall time of day. Everything below follows from that definition:
//  - DST gap: a window starting at 02:30 on a spring-forward day (02:00 → 03:00) has no instant
//    showing 02:30; the first allowed instant is the one showing 03:00, the first valid instant.
//  - DST overlap: a wall time that happens twice is allowed both times; the search returns the first
//    occurrence at or after `after` (so the earlier one when `after` precedes both).
//  - Weekdays, holidays and windows are all read in local time, never in UTC.
import { CalendarError, quote } from './errors';
import { compileCalendar, type BusinessCalendar, type CompiledCalendar } from './business-calendar';
import { DAY_MS, dayNumberOfIsoDate, dayNumberOfWall, type DayNumber } from './local-date';
import { pointWithin, spreadFraction } from './spread';
import type { Interval } from './windows';

export interface SendTimeOptions {
  /**
   * Spreads sends: a stable id (customer id, or "customer:campaign" to vary by campaign). The
   * result moves from the earliest allowed instant E to the point a fixed, key-derived fraction f
   * in [0, 1) of the way through the allowed time remaining on E's local day from E on (whole
   * seconds; breaks and holiday blocks do not count). So a request before the window opens lands at
   * the key's usual time of day; a request inside the window is spread over what is left of that
   * day's window, never earlier than `after`. Without a key the result is E.
   */
  readonly key?: string;
  /** How many local days ahead to search before giving up (CalendarError). Default 1096 (3 years). */
  readonly maxSearchDays?: number;
}

const DEFAULT_MAX_SEARCH_DAYS = 1096;
const EMPTY: readonly Interval[] = [];

/**
 * The earliest instant at or after `after` at which `calendar` allows a send (see the module
 * comment for the rules), or with `options.key` the spread instant on that same local day.
 *
 * @param after the instant the send becomes possible: a Date or epoch milliseconds; the result is
 *   never earlier. Millisecond precision is kept: if `after` is allowed, it is returned as is.
 * @returns a new Date, always allowed by the calendar.
 * @throws CalendarError when the calendar is invalid (field names the input), `after` is not a
 *   valid instant (field "after"), or nothing is allowed within `maxSearchDays` (field "calendar").
 */
export function nextSendTime(after: Date | number, calendar: BusinessCalendar, options: SendTimeOptions = {}): Date {
  const from = instantOf(after);
  const cal = compileCalendar(calendar);
  const maxDays = options.maxSearchDays ?? DEFAULT_MAX_SEARCH_DAYS;
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new CalendarError('maxSearchDays', maxDays, 'expected a positive whole number of days');
  if (options.key !== undefined && typeof options.key !== 'string') throw new CalendarError('key', options.key, 'expected a string');

  const found = earliestFrom(cal, from, maxDays);
  if (options.key === undefined) return new Date(found.at);
  return new Date(pointWithin(instantsOn(cal, found.day), found.at, spreadFraction(options.key)));
}

/** Whether `calendar` allows a send at `at` (a Date or epoch milliseconds). */
export function isSendAllowed(at: Date | number, calendar: BusinessCalendar): boolean {
  const t = instantOf(at, 'at');
  const cal = compileCalendar(calendar);
  for (const [s, e] of instantsOn(cal, dayNumberOfWall(cal.zone.wallOf(t)))) {
    if (t >= s && t < e) return true;
  }
  return false;
}

/** One allowed stretch of a local day, as instants: [start, end). */
export interface SendWindow {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The allowed stretches of a local date (`YYYY-MM-DD`) as instants, ascending; empty on
 * non-working days. A window that a DST change cuts short or lengthens has its real length.
 */
export function sendWindowsOn(date: string, calendar: BusinessCalendar): SendWindow[] {
  const day = dayNumberOfIsoDate(date);
  if (day === undefined) throw new CalendarError('date', date, `expected a local date YYYY-MM-DD, got ${quote(date)}`);
  return instantsOn(compileCalendar(calendar), day).map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
}

function instantOf(value: Date | number, name: 'after' | 'at' = 'after'): number {
  const t = value instanceof Date ? value.getTime() : value;
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new CalendarError('after', value, `${name} is not a valid instant: ${quote(value)}`);
  }
  return t;
}

interface Found {
  readonly at: number;
  readonly day: DayNumber;
}

function earliestFrom(cal: CompiledCalendar, from: number, maxDays: number): Found {
  const firstDay = dayNumberOfWall(cal.zone.wallOf(from));
  let found: Found | undefined;
  for (let day = firstDay; day < firstDay + maxDays; day++) {
    const at = candidateOn(cal, day, from);
    if (at !== undefined) {
      found = { at, day };
      break;
    }
  }
  if (!found) {
    throw new CalendarError('calendar', undefined, `allows no send time within ${maxDays} days after ${new Date(from).toISOString()}`);
  }
  // Without an offset change between `from` and the candidate, local time only moves forward, so the
  // days before the candidate's day were searched in order and it is the earliest. With one, local
  // time can step back into an earlier date (fall-back across midnight): look at every date the
  // stretch can show, one either side, and keep the earliest instant.
  if (cal.zone.changesWithin(from - 2 * DAY_MS, found.at + 2 * DAY_MS)) {
    for (let day = firstDay - 1; day <= found.day + 1; day++) {
      const at = candidateOn(cal, day, from);
      if (at !== undefined && at < found.at) found = { at, day };
    }
  }
  return found;
}

/** The earliest allowed instant >= `from` whose local date is `day`, if any. */
function candidateOn(cal: CompiledCalendar, day: DayNumber, from: number): number | undefined {
  for (const [s, e] of instantsOn(cal, day)) {
    if (e > from) return Math.max(s, from);
  }
  return undefined;
}

/**
 * The instants whose local wall time falls in the allowed times of local `day`, as sorted disjoint
 * intervals. Each run of constant UTC offset maps wall times to instants by subtracting the offset,
 * which handles gaps (the wall times do not exist in any run) and overlaps (they exist in two runs)
 * without special cases.
 */
function instantsOn(cal: CompiledCalendar, day: DayNumber): readonly Interval[] {
  const wall = cal.allowedTimesOn(day);
  if (wall.length === 0) return EMPTY;
  const dayStart = day * DAY_MS;
  // Every instant showing this date lies within a day either side of it (offsets are below 24 h).
  const lo = dayStart - DAY_MS;
  const hi = dayStart + 2 * DAY_MS;
  const zone = cal.zone;
  if (!zone.changesWithin(lo, hi)) {
    const offset = zone.offsetAt(dayStart);
    return wall.map(([s, e]): Interval => [dayStart + s - offset, dayStart + e - offset]);
  }
  const out: [number, number][] = [];
  for (const seg of zone.segments(lo, hi)) {
    for (const [s, e] of wall) {
      const a = Math.max(seg.start, dayStart + s - seg.offset);
      const b = Math.min(seg.end, dayStart + e - seg.offset);
      if (a >= b) continue;
      const last = out[out.length - 1];
      if (last && last[1] === a) last[1] = b;
      else out.push([a, b]);
    }
  }
  return out;
}
