// The marketing frequency cap as a pure rule, shared by the send path (activities/send/
// frequency-cap.ts, which counts the customer's sends from the ledger) and the sequence simulator:
// at most N marketing emails in any D consecutive days of the customer's own calendar (local days);
// a send over the cap is deferred to the next allowed slot, never dropped.
import { DateTime } from 'luxon';
import { nextSendTime, type BusinessCalendar } from './calendar';
import type { FrequencyCap } from './config';

export interface CapDecision {
  allowed: boolean;
  /** Marketing emails already counted in the current window. */
  counted: number;
  /** When not allowed: the next allowed slot, inside the customer's business hours. */
  retryAt?: Date;
}

/** The first local day of the window that ends today (the cap counts sends at or after it). */
export function capWindowStart(cap: FrequencyCap, calendar: BusinessCalendar, now: number): Date {
  return DateTime.fromMillis(now, { zone: calendar.timeZone }).startOf('day').minus({ days: cap.days - 1 }).toJSDate();
}

/**
 * Whether one more marketing email fits the cap at `now`, given the instants of the customer's
 * counted sends in the window (any order). When it does not, the next allowed slot is the first
 * local day on which the window no longer holds N sends (the day the N-th most recent one leaves
 * it), moved into business hours by the calendar (spread by `spreadKey`).
 */
export function capDecision(sends: number[], cap: FrequencyCap, calendar: BusinessCalendar, now: number, spreadKey?: string): CapDecision {
  const since = capWindowStart(cap, calendar, now).getTime();
  const counted = sends.filter((t) => t >= since).sort((a, b) => b - a);
  if (counted.length < cap.count) return { allowed: true, counted: counted.length };
  const nth = DateTime.fromMillis(counted[cap.count - 1]!, { zone: calendar.timeZone }).startOf('day');
  const from = Math.max(nth.plus({ days: cap.days }).toMillis(), now);
  return { allowed: false, counted: counted.length, retryAt: nextSendTime(from, calendar, { key: spreadKey }) };
}
