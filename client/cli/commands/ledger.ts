// `outreach ledger ...`: the send ledger for operators. Ambiguous sends (an attempt died between
// claiming the send and recording the SMTP outcome) are never resent by the engine; an operator
// decides with `resend` or `mark-sent`. See docs/delivery.md.
import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { loadConfig } from '../../../domain/config';
import { createDb } from '../../../activities/db/client';
import { createRuntime } from '../../../worker/runtime';
import {
  LEDGER_STATUSES,
  LedgerDecisionError,
  listLedger,
  markLedgerEntrySent,
  resendLedgerEntry,
  type LedgerStatus,
} from '../../../activities/send/ledger';

function oneKey(positionals: string[], command: string): string {
  if (!positionals[0]) throw new UsageError(`missing the ledger key to ${command} (see \`outreach ledger list --status ambiguous\`)`);
  return positionals[0];
}

function fail(err: unknown): number {
  if (err instanceof LedgerDecisionError) {
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  throw err;
}

export const ledgerListCommand: Command = {
  name: 'ledger list',
  summary: 'List send ledger rows, newest first (e.g. --status ambiguous for sends awaiting a decision).',
  usage: `outreach ledger list [--status ${LEDGER_STATUSES.join('|')}] [--limit <n, default 100>] [--json]`,
  async run(argv) {
    const { values } = parseFlags(argv, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
    const status = values.status;
    if (status !== undefined && !(LEDGER_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${LEDGER_STATUSES.join(', ')} (got "${status}")`);
    }
    let limit = 100;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit must be a whole number from 1 to 100000 (got "${values.limit}")`);
    }
    const db = createDb(loadConfig().database);
    try {
      const rows = await listLedger(db, { status: status as LedgerStatus | undefined, limit });
      if (values.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return 0;
      }
      for (const r of rows) {
        const at = (r.sentAt ?? r.retryAt ?? r.claimedAt ?? r.createdAt).toISOString();
        process.stdout.write([r.key, r.status, `attempts=${r.attempts}`, r.category, r.templateId, at, r.error ?? ''].join('\t') + '\n');
      }
      if (rows.length === 0) process.stderr.write(`no ledger rows${status ? ` with status ${status}` : ''}\n`);
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};

export const ledgerResendCommand: Command = {
  name: 'ledger resend',
  summary: 'Resend an ambiguous send now (same Message-ID; consent and suppression checked again), or only mark it for retry.',
  usage: 'outreach ledger resend <key> [--mark-only]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { 'mark-only': { type: 'boolean' } }, 1);
    const key = oneKey(positionals, 'resend');
    const config = loadConfig();
    const rt = await createRuntime(config);
    try {
      const r = await resendLedgerEntry({ ...rt, config }, key, { markOnly: values['mark-only'] });
      if (r.status === 'marked-retry') {
        process.stdout.write(`${key}: marked retry; the next attempt of its workflow sends it\n`);
        return 0;
      }
      process.stdout.write(`${key}: ${r.status}${r.messageId ? ` ${r.messageId}` : ''}${r.reason ? ` (${r.reason})` : ''}\n`);
      return r.status === 'sent' || r.status === 'already-sent' ? 0 : 1;
    } catch (err) {
      return fail(err);
    } finally {
      await rt.close();
    }
  },
};

export const ledgerMarkSentCommand: Command = {
  name: 'ledger mark-sent',
  summary: 'Record that an ambiguous send did reach the provider (nothing is sent).',
  usage: 'outreach ledger mark-sent <key>',
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, 1);
    const key = oneKey(positionals, 'mark as sent');
    const db = createDb(loadConfig().database);
    try {
      await markLedgerEntrySent(db, key);
      process.stdout.write(`${key}: marked sent\n`);
      return 0;
    } catch (err) {
      return fail(err);
    } finally {
      await db.$disconnect();
    }
  },
};

export const ledgerCommands: Command[] = [ledgerListCommand, ledgerResendCommand, ledgerMarkSentCommand];
