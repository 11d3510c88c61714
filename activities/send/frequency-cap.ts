// Marketing frequency caps across all sequences: at most N marketing emails in any D consecutive
// days of the customer's own calendar (local days, so "3 per 7 days" means what the customer sees
// in their inbox). A send over the cap is deferred to the next allowed slot, never dropped.
//
// Counted from the send ledger: rows that were sent, and rows that may have been (in flight, waiting
// for a retry, ambiguous) so an uncertain send still counts against the cap.
import type { Db } from '../db/client';
import type { FrequencyCap } from '../../domain/config';
import type { BusinessCalendar } from '../../domain/calendar';
import { capDecision, capWindowStart, type CapDecision } from '../../domain/frequency-cap';

export type { CapDecision };

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

/**
 * Whether one more marketing email fits the cap at `now` (domain/frequency-cap.ts holds the rule;
 * this counts the customer's sends from the ledger).
 */
export async function checkFrequencyCap(
  db: Client,
  opts: { customerId: string; key: string; cap: FrequencyCap; calendar: BusinessCalendar; now: number },
): Promise<CapDecision> {
  const { cap, calendar, now } = opts;
  const sends = await countedSends(db, opts.customerId, capWindowStart(cap, calendar, now), opts.key);
  return capDecision(sends, cap, calendar, now, opts.customerId);
}
