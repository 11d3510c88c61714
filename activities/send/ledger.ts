// Operator decisions on the send ledger (`outreach ledger list | resend | mark-sent`).
//
// A row is "ambiguous" when an attempt died between claiming the send and recording the SMTP
// outcome: the provider may or may not have the message. The engine never resends it by itself.
// By the time an operator looks, the workflow has recorded the step as ambiguous and moved on
// (the activity returned), so:
//   resend    marks the row "retry" and sends the email itself, through the same ledger path
//             (same key, same Message-ID, consent and suppression checked again; the frequency cap
//             does not apply: the first attempt was already counted). With `markOnly`, the row is
//             only marked "retry", for a workflow an operator resets to before the step: its next
//             attempt then sends.
//   mark-sent records that the provider did accept it (e.g. found in the provider's logs).
// Both are written to the audit log.
import type { Db } from '../db/client';
import { sendEmail, type SendDeps, type SendRequest, type SendResult } from './send-email';

export const LEDGER_STATUSES = ['sending', 'sent', 'retry', 'ambiguous', 'failed', 'suppressed', 'deferred'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

export class LedgerDecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerDecisionError';
  }
}

export interface LedgerEntry {
  key: string;
  status: string;
  attempts: number;
  category: string;
  templateId: string;
  messageId: string;
  error: string | null;
  createdAt: Date;
  claimedAt: Date | null;
  sentAt: Date | null;
  retryAt: Date | null;
}

export async function listLedger(db: Db, opts: { status?: LedgerStatus; limit?: number } = {}): Promise<LedgerEntry[]> {
  return db.sendLedger.findMany({
    where: opts.status ? { status: opts.status } : {},
    orderBy: { createdAt: 'desc' },
    take: opts.limit ?? 100,
    select: {
      key: true, status: true, attempts: true, category: true, templateId: true, messageId: true, error: true,
      createdAt: true, claimedAt: true, sentAt: true, retryAt: true,
    },
  });
}

async function rowOf(db: Db, key: string) {
  const row = await db.sendLedger.findUnique({ where: { key } });
  if (!row) throw new LedgerDecisionError(`no send ledger row with key "${key}" (see \`outreach ledger list\`)`);
  return row;
}

function notAmbiguous(key: string, status: string, error: string | null): LedgerDecisionError {
  const why: Record<string, string> = {
    sent: 'it was sent; nothing to do',
    sending: 'an attempt is in progress; wait for its outcome',
    failed: `it failed permanently (${error ?? 'no reason recorded'}) and the address is suppressed`,
    suppressed: `it was suppressed (${error ?? 'no reason recorded'})`,
    deferred: 'it is deferred by the frequency cap; its workflow sends it at the next allowed slot',
  };
  return new LedgerDecisionError(`"${key}" is ${status}, not ambiguous: ${why[status] ?? 'only ambiguous rows need a decision'}`);
}

async function audit(db: Db, action: string, key: string, details: Record<string, unknown>): Promise<void> {
  // Ledger keys hold workflow ids (keyed hashes), never personal data.
  await db.auditLog.create({ data: { action, subject: key, details: JSON.stringify(details) } });
}

/** The request to send again: as stored at the first attempt, or rebuilt from the row's columns. */
function requestOf(row: { request: string | null; workflowId: string; stepId: string; iteration: number; customerId: string; templateId: string; category: string }): SendRequest {
  if (row.request) {
    try {
      return { ...(JSON.parse(row.request) as SendRequest), customerId: row.customerId };
    } catch {
      // fall through to the columns
    }
  }
  return {
    workflowId: row.workflowId, sequenceId: 'unknown', stepId: row.stepId, iteration: row.iteration,
    customerId: row.customerId, template: row.templateId, category: row.category as SendRequest['category'],
  };
}

export type ResendOutcome = { status: 'marked-retry' } | SendResult;

/** An operator's resend of an ambiguous row (see the header). */
export async function resendLedgerEntry(deps: SendDeps, key: string, opts: { markOnly?: boolean } = {}): Promise<ResendOutcome> {
  const { db } = deps;
  const row = await rowOf(db, key);
  if (row.status !== 'ambiguous' && row.status !== 'retry') throw notAmbiguous(key, row.status, row.error);
  if (row.status === 'ambiguous') {
    const r = await db.sendLedger.updateMany({ where: { key, status: 'ambiguous' }, data: { status: 'retry', error: 'operator: resend' } });
    if (r.count === 0) throw new LedgerDecisionError(`"${key}" changed while deciding; run the command again`);
    await audit(db, 'ledger.resend', key, { markOnly: !!opts.markOnly, attempts: row.attempts });
  }
  if (opts.markOnly) return { status: 'marked-retry' };
  return sendEmail(deps, requestOf(row), { operator: true });
}

/** Records that an ambiguous row's email did reach the provider. */
export async function markLedgerEntrySent(db: Db, key: string): Promise<void> {
  const row = await rowOf(db, key);
  if (row.status !== 'ambiguous' && row.status !== 'retry') throw notAmbiguous(key, row.status, row.error);
  const r = await db.sendLedger.updateMany({
    where: { key, status: row.status },
    data: { status: 'sent', sentAt: row.claimedAt ?? new Date(), error: 'operator: marked sent', request: null },
  });
  if (r.count === 0) throw new LedgerDecisionError(`"${key}" changed while deciding; run the command again`);
  await audit(db, 'ledger.mark-sent', key, { from: row.status, attempts: row.attempts });
}
