// Exactly one email per step. A SendLedger row keyed by (workflow, step, iteration) is written
// *before* SMTP and checked on every attempt:
//   sent        -> nothing to do (a retry after success, e.g. the worker died before completing)
//   sending     -> a previous attempt died between "about to send" and the outcome: the provider may
//                  or may not have the message, so it is marked ambiguous and never resent blindly
//   ambiguous   -> left alone until an operator decides (`outreach ledger resend | mark-sent`); also
//                  written when the connection was lost after the server accepted DATA and the
//                  message went out, before its final reply
//   retry       -> the previous attempt failed definitely (4xx, a connection lost before DATA): send again
//   deferred    -> a frequency cap held it back: decide again (consent, suppression, cap) and send
//   failed      -> a permanent SMTP failure (5xx): final; the address is suppressed
//   suppressed  -> consent or the suppression list said no at send time: final
// The Message-ID derives from the key, so even an operator-approved resend is recognisable.
// docs/delivery.md describes the whole policy.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import type { MailTransport, SmtpStage } from '../mail/transport';
import { FailureType, nonRetryable } from '../failures';
import { signLink } from '../../domain/signed-links';
import type { Config } from '../../domain/config';
import type { Category, SurveyKind } from '../../domain/sequence/types';
import type { AccountSettings } from '../../domain/account';
import { resolveCalendar } from '../../domain/calendar';
import { accountCalendar } from '../calendar';
import { countEmail, observeRender, observeSend, type EmailOutcome } from '../observability';
import { sendPolicy, suppressAddress } from './policy';
import { checkFrequencyCap } from './frequency-cap';

export interface RenderInput {
  template: string;
  customer: {
    id: string; email: string; givenName?: string | null; familyName?: string | null; title?: string | null;
    gender?: string | null; locale: string; timeZone?: string | null; formality?: 'formal' | 'informal' | null;
  };
  links: { unsubscribe: string; [name: string]: unknown };
  data?: Record<string, unknown>;
}
export interface RenderedEmail { template: string; locale: string; lang: string; dir: 'ltr' | 'rtl'; subject: string; preheader: string; html: string; text: string }
/** The renderer as the send path needs it (implemented by activities/render). */
export interface Renderer {
  render(input: RenderInput): RenderedEmail;
  /** Whether the template can read data field `name` (absent: assume it can). */
  mentions?(template: string, name: string): boolean;
}

export interface SendRequest {
  workflowId: string;
  sequenceId: string;
  stepId: string;
  iteration: number;
  customerId: string;
  template: string;
  category: Category | 'internal';
  event?: { name: string; properties: Record<string, unknown> };
  /** Extra template data and links from the step definition. */
  data?: Record<string, unknown>;
  links?: Record<string, unknown>;
  /** For survey emails: the survey instance the score links answer. */
  survey?: { surveyId: string; kind: SurveyKind; closesAt: string };
}

export type SendStatus = 'sent' | 'already-sent' | 'ambiguous' | 'suppressed' | 'failed' | 'deferred';
export interface SendResult {
  status: SendStatus;
  messageId?: string;
  reason?: string;
  retryAt?: string;
}

export interface SendDeps {
  db: Db;
  transport: MailTransport;
  renderer: Renderer;
  config: Config;
  account: AccountSettings;
}

export interface SendOptions {
  /**
   * The instant of this attempt (epoch ms) for frequency caps and ledger times. The activity passes
   * the later of the clock and the attempt's scheduled time, so under Temporal's time-skipping test
   * server the cap counts in the workflow's (skipped) time.
   */
  now?: number;
  /** An operator's resend (`outreach ledger resend`): the frequency cap does not apply. */
  operator?: boolean;
}

/** Ledger statuses after which nothing more happens for the key. */
export const FINAL_STATUSES = ['sent', 'failed', 'suppressed'] as const;

/** Score ranges per survey kind, lowest first. */
export const SURVEY_SCALES: Record<SurveyKind, [number, number]> = { csat: [1, 5], nps: [0, 10], ces: [1, 7] };

export function ledgerKey(r: Pick<SendRequest, 'workflowId' | 'stepId' | 'iteration'>): string {
  return `${r.workflowId}/${r.stepId}/${r.iteration}`;
}

export function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'outreach.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

interface SmtpError extends SmtpStage {
  responseCode?: number;
  code?: string;
  command?: string;
  response?: string;
  message?: string;
}

/**
 * A permanent rejection of this recipient or message: a 5xx reply (except 503, a session-state
 * error) to RCPT TO or DATA. 5xx replies to AUTH or MAIL FROM say our account or sender is wrong,
 * not the address, so they are retried (and alerted through the failing activity) instead.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const e = err as SmtpError;
  const code = e.responseCode;
  if (typeof code !== 'number' || code < 500 || code >= 600 || code === 503) return false;
  return e.command === undefined || e.command === 'RCPT TO' || e.command === 'DATA';
}

/**
 * The server accepted DATA (354) and the message went out, but no final reply came back: the
 * connection closed or reset, or the socket timed out waiting. The server may hold the message, so it
 * is never retried blindly. A failure before DATA was accepted, or any reply code after it (250,
 * 4xx, 5xx), is a definite outcome instead.
 */
export function isAmbiguousSmtpFailure(err: unknown): boolean {
  const e = err as SmtpError;
  return e.dataStarted === true && typeof e.responseCode !== 'number';
}

/** nodemailer refused the message before talking to the server (malformed address, empty message). */
function isUnsendable(err: unknown): boolean {
  const e = err as SmtpError;
  return (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.command === 'API';
}

function smtpReason(err: unknown): string {
  const e = err as SmtpError;
  const text = (e.response || e.message || String(err)).split('\n')[0];
  return (e.command && e.command !== 'API' ? `${e.command}: ${text}` : text).slice(0, 500);
}

const UNSUBSCRIBE_LINK_DAYS = 365;

type LedgerClient = Pick<Db, 'sendLedger'>;

/** Per-customer serialization of cap checks and claims within this process (SQLite). */
const customerLocks = new Map<string, Promise<void>>();

/**
 * Runs `fn` (count the cap, claim the row) so that two sends to the same customer cannot both take
 * the last slot: a row lock on the customer in PostgreSQL (any number of workers), a per-customer
 * queue in this process for SQLite (one worker process; see docs/delivery.md).
 */
async function withCustomerLock<T>(deps: SendDeps, customerId: string, fn: (db: LedgerClient) => Promise<T>): Promise<T> {
  if (deps.config.database.provider === 'postgresql') {
    return deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "Customer" WHERE "id" = ${customerId} FOR UPDATE`;
      return fn(tx);
    }, { maxWait: 10_000, timeout: 30_000 });
  }
  const before = customerLocks.get(customerId) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => mine);
  customerLocks.set(customerId, tail);
  await before;
  try {
    return await fn(deps.db);
  } finally {
    release();
    if (customerLocks.get(customerId) === tail) customerLocks.delete(customerId);
  }
}

class LedgerRace extends Error {
  constructor(key: string) {
    super(`send ledger row ${key} changed during this attempt (a concurrent attempt); the next attempt decides`);
    this.name = 'LedgerRace';
  }
}

interface LedgerRowRef {
  status: string;
}

/** The columns every ledger row of a key carries. */
interface LedgerBase {
  key: string;
  workflowId: string;
  stepId: string;
  iteration: number;
  customerId: string;
  templateId: string;
  locale: string;
  category: string;
  messageId: string;
}

type LedgerWrite = {
  status: string;
  error?: string | null;
  retryAt?: Date | null;
  claimedAt?: Date;
  sentAt?: Date;
  request?: string | null;
  attempt?: boolean;
};

/**
 * Writes the row for `key`: creates it, or updates it only if it still has the status this attempt
 * read (compare-and-set), so two attempts can never both claim it.
 */
async function writeRow(db: LedgerClient, key: string, base: LedgerBase, existing: LedgerRowRef | null, w: LedgerWrite): Promise<void> {
  const { attempt, ...fields } = w;
  if (existing) {
    const r = await db.sendLedger.updateMany({
      where: { key, status: existing.status },
      data: { ...fields, ...(attempt ? { attempts: { increment: 1 } } : {}) },
    });
    if (r.count === 0) throw new LedgerRace(key);
    return;
  }
  try {
    await db.sendLedger.create({ data: { ...base, ...fields, attempts: attempt ? 1 : 0 } });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new LedgerRace(key);
    throw err;
  }
}

export async function sendEmail(deps: SendDeps, req: SendRequest, opts: SendOptions = {}): Promise<SendResult> {
  const { db, transport, renderer, config } = deps;
  const key = ledgerKey(req);
  const messageId = messageIdFor(key, config.smtp.from);
  const now = opts.now ?? Date.now();
  const clock = () => new Date(Math.max(now, Date.now()));
  const count = (outcome: EmailOutcome, locale: string) => countEmail(outcome, { template: req.template, locale, category: req.category });

  const existing = await db.sendLedger.findUnique({ where: { key } });
  if (existing) {
    switch (existing.status) {
      case 'sent':
        count('already-sent', existing.locale);
        return { status: 'already-sent', messageId: existing.messageId };
      case 'ambiguous':
        return { status: 'ambiguous', messageId: existing.messageId, reason: existing.error ?? undefined };
      case 'suppressed':
      case 'failed':
        return { status: existing.status, messageId: existing.messageId, reason: existing.error ?? undefined };
      case 'sending': {
        const reason = 'the previous attempt ended without a recorded SMTP outcome (worker died or timed out mid-send)';
        const r = await db.sendLedger.updateMany({ where: { key, status: 'sending' }, data: { status: 'ambiguous', error: reason } });
        if (r.count === 0) {
          // The earlier attempt finished after all (it was slow, not dead): report what it recorded.
          const current = await db.sendLedger.findUnique({ where: { key } });
          if (current?.status === 'sent') return { status: 'already-sent', messageId };
          throw new LedgerRace(key);
        }
        count('ambiguous', existing.locale);
        return { status: 'ambiguous', messageId: existing.messageId, reason };
      }
      // retry, deferred (and a legacy "pending"): decide again below.
    }
  }

  const customer = await db.customer.findUnique({ where: { id: req.customerId } });
  if (!customer) throw nonRetryable(FailureType.CustomerNotFound, `customer ${req.customerId} does not exist (erased or never created)`);

  const base: LedgerBase = {
    key, workflowId: req.workflowId, stepId: req.stepId, iteration: req.iteration, customerId: req.customerId,
    templateId: req.template, locale: customer.locale, category: req.category, messageId,
  };
  // Consent and suppression are checked now, at send time: a customer who withdrew consent or
  // unsubscribed while the workflow waited gets nothing.
  const policy = await sendPolicy(db, config, customer, req.category);
  if (!policy.allowed) {
    await writeRow(db, key, base, existing, { status: 'suppressed', error: policy.reason, retryAt: null, request: null });
    count('suppressed', customer.locale);
    return { status: 'suppressed', messageId, reason: policy.reason };
  }

  const exp = Math.floor(Date.now() / 1000) + UNSUBSCRIBE_LINK_DAYS * 86400;
  const baseUrl = config.api.publicBaseUrl;
  const unsubscribe = `${baseUrl}/u/${signLink(config.secret, { p: 'unsubscribe', c: customer.id, e: exp, cat: req.category })}`;
  const links: Record<string, unknown> = {
    ...deps.account.links,
    ...(req.links ?? {}),
    unsubscribe,
    // One click tells the account owner this customer wants help (check-in emails).
    help: `${baseUrl}/h/${signLink(config.secret, { p: 'help', c: customer.id, e: exp, w: req.workflowId })}`,
  };
  if (req.survey) {
    const token = signLink(config.secret, {
      p: 'survey', c: customer.id, e: Math.floor(Date.parse(req.survey.closesAt) / 1000), s: req.survey.surveyId, k: req.survey.kind, w: req.workflowId,
    });
    const [lo, hi] = SURVEY_SCALES[req.survey.kind];
    links.scores = Array.from({ length: hi - lo + 1 }, (_, i) => ({ score: lo + i, url: `${baseUrl}/s/${token}?score=${lo + i}` }));
  }
  // Values that cost a query are computed only for templates that can show them.
  const uses = (name: string) => renderer.mentions?.(req.template, name) ?? true;
  const enrollment = uses('days') ? await db.enrollment.findUnique({ where: { workflowId: req.workflowId }, select: { startedAt: true } }) : null;
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(customer.attributes);
  } catch {
    attributes = {};
  }
  const data: Record<string, unknown> = {
    ...deps.account.data,
    // Values the shipped templates use, computed per recipient.
    days: enrollment ? Math.floor((now - enrollment.startedAt.getTime()) / 86_400_000) : 0,
    memberSince: customer.createdAt.toISOString(),
    ...(uses('purchaseCount') ? { purchaseCount: await db.event.count({ where: { customerId: customer.id, name: 'purchase' } }) } : {}),
    // null (not absent) lets a template skip the sentence; strict rendering treats absent as an error.
    lastVisit: typeof attributes.lastVisit === 'string' ? attributes.lastVisit : null,
    ...(req.survey ? { surveyKind: req.survey.kind } : {}),
    // survey-thanks says whether someone will follow up; false unless the step says otherwise.
    followUp: false,
    ...(req.data ?? {}),
    event: req.event?.properties ?? {},
  };
  let rendered: RenderedEmail;
  const renderStart = process.hrtime.bigint();
  try {
    rendered = renderer.render({
      template: req.template,
      customer: {
        id: customer.id, email: customer.email, givenName: customer.givenName, familyName: customer.familyName,
        title: customer.title, gender: customer.gender, locale: customer.locale, timeZone: customer.timeZone,
        formality: customer.formality === 'formal' || customer.formality === 'informal' ? customer.formality : null,
      },
      links: links as RenderInput['links'],
      data,
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    // A template error never becomes a broken email: the step fails visibly for ops instead.
    throw nonRetryable(FailureType.Template, e.message, { code: e.code ?? 'TEMPLATE_ERROR', template: req.template, locale: customer.locale });
  }
  observeRender(Number(process.hrtime.bigint() - renderStart) / 1e9, { template: req.template, locale: rendered.locale });

  // Kept while the row may still need a send, so an operator can resend it (`outreach ledger resend`).
  // Without the customer id: that is the row's own column, which erasure anonymizes.
  const request = JSON.stringify({ ...req, customerId: undefined });
  const cap = req.category === 'marketing' && !opts.operator ? config.delivery.marketingCap : undefined;
  // Count the cap and claim the slot before talking to SMTP, in one step per customer. The unique
  // key (and the compare-and-set on the status) makes a concurrent duplicate attempt fail here.
  const deferredUntil = await withCustomerLock(deps, customer.id, async (tx) => {
    if (cap) {
      const calendar = resolveCalendar(customer, accountCalendar(config));
      const decision = await checkFrequencyCap(tx, { customerId: customer.id, key, cap, calendar, now });
      if (!decision.allowed) {
        const retryAt = decision.retryAt!;
        await writeRow(tx, key, base, existing, {
          status: 'deferred', retryAt, request,
          error: `frequency cap ${cap.count}/${cap.days}d: ${decision.counted} marketing emails in the window; deferred to ${retryAt.toISOString()}`,
        });
        return retryAt;
      }
    }
    await writeRow(tx, key, base, existing, { status: 'sending', attempt: true, claimedAt: clock(), retryAt: null, error: null, request });
    return undefined;
  });
  if (deferredUntil) {
    count('deferred', rendered.locale);
    return { status: 'deferred', messageId, retryAt: deferredUntil.toISOString(), reason: 'frequency cap' };
  }

  const sendStart = process.hrtime.bigint();
  try {
    await transport.sendMail({
      from: config.smtp.from,
      to: customer.email,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        // RFC 8058 one-click: mailbox providers POST this body to the List-Unsubscribe URL.
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'X-Outreach-Template': req.template,
        'Content-Language': rendered.lang,
      },
    });
  } catch (err) {
    observeSend(Number(process.hrtime.bigint() - sendStart) / 1e9, { category: req.category });
    const reason = smtpReason(err);
    if (isPermanentSmtpFailure(err)) {
      // The provider refused this address for good: never retry, and never email it again. The
      // ledger first: should the worker die in between, the next step's 5xx suppresses the address.
      await db.sendLedger.updateMany({ where: { key }, data: { status: 'failed', error: reason, request: null } });
      await suppressAddress(db, customer.email, 'bounced', reason);
      count('failed', rendered.locale);
      return { status: 'failed', messageId, reason };
    }
    if (isUnsendable(err)) {
      // Our data is wrong (e.g. a malformed address): retrying cannot help, suppressing would be wrong.
      await db.sendLedger.updateMany({ where: { key }, data: { status: 'failed', error: reason, request: null } });
      count('failed', rendered.locale);
      return { status: 'failed', messageId, reason };
    }
    if (isAmbiguousSmtpFailure(err)) {
      // Not retried (the provider may have it): the activity returns, the request stays for an
      // operator's `outreach ledger resend`, or `mark-sent` when the provider's logs show it.
      const why = `no final reply after the message was sent (DATA accepted): ${reason.slice(0, 300)}; the server may hold it, so it is not retried: an operator decides (outreach ledger mark-sent | resend)`;
      await db.sendLedger.updateMany({ where: { key, status: 'sending' }, data: { status: 'ambiguous', error: why } });
      count('ambiguous', rendered.locale);
      return { status: 'ambiguous', messageId, reason: why };
    }
    // 4xx, and connection and timeout errors before DATA was accepted: the message was not
    // accepted; the next attempt sends.
    await db.sendLedger.updateMany({ where: { key, status: 'sending' }, data: { status: 'retry', error: reason } });
    throw err; // retried by Temporal with backoff
  }
  observeSend(Number(process.hrtime.bigint() - sendStart) / 1e9, { category: req.category });
  // Recorded unconditionally: the provider accepted it, whatever a concurrent attempt wrote meanwhile.
  await db.sendLedger.updateMany({ where: { key }, data: { status: 'sent', sentAt: clock(), error: null, request: null } });
  count('sent', rendered.locale);
  return { status: 'sent', messageId };
}
