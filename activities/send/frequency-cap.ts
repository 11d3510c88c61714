// Marketing frequency caps across all sequences: at most N marketing emails in any D consecutive
// days of the customer's own calendar (local days, so "3 per 7 days" means what the customer sees
// in their inbox). A send over the cap is deferred to the next allowed slot, never dropped.
//
// Counted from the send ledger: rows that were sent, and rows that may have been (in flight, waiting
// for a retry, ambiguous) so an uncertain send still counts against the cap.
import { DateTime } from 'luxon';
import type { Db } from '../db/client';
import type { FrequencyCap } from '../../domain/config';
import { nextSendTime, type BusinessCalendar } from '../../domain/calendar';

/** Ledger statuses that count against a cap besides "sent" (their instant is `claimedAt`). */
export const IN_FLIGHT_STATUSES = ['sending', 'retry', 'ambiguous'];

type Client = Pick<Db, 'sendLedger'>;

/** The instants of the customer's capped sends since `since`, newest first (excluding `exceptKey`). */
async function countedSends(db: Client, customerId: string, since: Date, exceptKey: string): Promise<number[]> {
  const rows = await db.sendLedger.findMany({
    where: {
      customerId,
      category: 'marketing',
      key: { not: exceptKey },
      OR: [
        { status: 'sent', sentAt: { gte: since } },
        { status: { in: IN_FLIGHT_STATUSES }, claimedAt: { gte: since } },
      ],
    },
    select: { sentAt: true, claimedAt: true },
  });
  return rows
    .map((r) => (r.sentAt ?? r.claimedAt)!.getTime())
    .sort((a, b) => b - a);
}

export interface CapDecision {
  allowed: boolean;
  /** Marketing emails already counted in the current window. */
  counted: number;
  /** When not allowed: the next allowed slot, inside the customer's business hours. */
  retryAt?: Date;
}

/**
 * Whether one more marketing email fits the cap at `now`. When it does not, the next allowed slot
 * is the first local day on which the window no longer holds N sends (the day the N-th most recent
 * one leaves it), moved into business hours by the calendar (spread by customer id).
 */
export async function checkFrequencyCap(
  db: Client,
  opts: { customerId: string; key: string; cap: FrequencyCap; calendar: BusinessCalendar; now: number },
): Promise<CapDecision> {
  const { cap, calendar, now } = opts;
  const zone = calendar.timeZone;
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const windowStart = today.minus({ days: cap.days - 1 });
  const sends = await countedSends(db, opts.customerId, windowStart.toJSDate(), opts.key);
  if (sends.length < cap.count) return { allowed: true, counted: sends.length };
  const nth = DateTime.fromMillis(sends[cap.count - 1], { zone }).startOf('day');
  const freeDay = nth.plus({ days: cap.days });
  const from = Math.max(freeDay.toMillis(), now);
  return { allowed: false, counted: sends.length, retryAt: nextSendTime(from, calendar, { key: opts.customerId }) };
}
