// Business-day arithmetic and local wall-clock targets on top of the send-time calendar. Used by the
// engine's calendar activities (activities/calendar.ts) and the sequence simulator alike, so a
// simulated timeline and a real run agree.
import { DateTime } from 'luxon';
import { compileCalendar, type BusinessCalendar } from './business-calendar';
import { CalendarError } from './errors';
import { sendWindowsOn } from './next-send-time';

/** Whether a local date (YYYY-MM-DD) is a business day: it has any send window (working day, not a whole-day holiday or blackout). */
export function isBusinessDay(date: string, calendar: BusinessCalendar): boolean {
  return sendWindowsOn(date, calendar).length > 0;
}

/**
 * `after` moved forward by `n` business days: the same local time of day on the n-th business day
 * after `after`'s local date. Counting starts the day after, so from a Saturday, 1 business day is
 * Monday (same time). Days without any send window (weekends, public holidays, blackouts) do not count.
 */
export function addBusinessDays(after: number, n: number, calendar: BusinessCalendar): number {
  const zone = resolvedZone(calendar);
  const from = DateTime.fromMillis(after, { zone });
  let day = from.startOf('day');
  let counted = 0;
  // A calendar has at least one working weekday (compileCalendar enforces it), so n business days
  // lie within n weeks plus a year of holidays and blackouts; the bound only stops runaway input.
  for (let i = 0; counted < n; i++) {
    if (i > n * 7 + 366) throw new CalendarError('calendar', calendar, `has fewer than ${n} business days in ${i} days`);
    day = day.plus({ days: 1 });
    if (isBusinessDay(day.toISODate()!, calendar)) counted++;
  }
  return day.set({ hour: from.hour, minute: from.minute, second: from.second, millisecond: from.millisecond }).toMillis();
}

/**
 * The first instant at or after `after` showing local time `time` (HH:mm) on one of `weekdays`
 * (ISO, 1 = Monday). Without `time`: `after` itself when its local day is one of the weekdays, else
 * the start of the next such day. Without weekdays: any day. A time that a DST change skips moves
 * forward with the clock (02:30 on a spring-forward night becomes 03:30).
 */
export function nextLocalTime(after: number, calendar: BusinessCalendar, opts: { time?: string; weekdays?: number[] }): number {
  const zone = resolvedZone(calendar);
  const from = DateTime.fromMillis(after, { zone });
  const [hour, minute] = opts.time ? opts.time.split(':').map(Number) : [0, 0];
  for (let i = 0; i <= 7; i++) {
    const day = from.startOf('day').plus({ days: i });
    if (opts.weekdays && !opts.weekdays.includes(day.weekday)) continue;
    if (!opts.time) return i === 0 ? after : day.toMillis();
    const at = day.set({ hour, minute }).toMillis();
    if (at >= after) return at;
  }
  // Unreachable for valid input: within 8 days every weekday and time of day occurs.
  throw new CalendarError('calendar', calendar, `no local time ${opts.time ?? ''} on weekdays ${opts.weekdays?.join(',') ?? 'any'} within a week`);
}

function resolvedZone(calendar: BusinessCalendar): string {
  // Validates the calendar and gives the zone's canonical spelling, which luxon needs.
  return compileCalendar(calendar).timeZone;
}

