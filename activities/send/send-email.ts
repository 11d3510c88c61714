// Exactly one email per step. A SendLedger row keyed by (workflow, step, iteration) is written
// *before* SMTP and checked on every attempt:
//   sent       -> nothing to do (a retry after success, e.g. the worker died before completing)
//   sending    -> a previous attempt died between "about to send" and the outcome: the provider may
//                 or may not have the message, so it is marked ambiguous and never resent blindly
//   ambiguous  -> left alone until an operator decides (outreach runs resend / mark-sent)
//   retry      -> the previous attempt failed definitely (4xx, connection refused): send again
// The Message-ID derives from the key, so even an operator-approved resend is recognisable.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import type { MailTransport } from '../mail/transport';
import { FailureType, nonRetryable } from '../failures';
import { signLink } from '../../domain/signed-links';
import type { Config } from '../../domain/config';
import type { Category, SurveyKind } from '../../domain/sequence/types';
import type { AccountSettings } from '../../domain/account';
import { countEmail, observeRender, observeSend } from '../observability';

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
export interface Renderer { render(input: RenderInput): RenderedEmail }

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

/** Score ranges per survey kind, lowest first. */
export const SURVEY_SCALES: Record<SurveyKind, [number, number]> = { csat: [1, 5], nps: [0, 10], ces: [1, 7] };

export function ledgerKey(r: Pick<SendRequest, 'workflowId' | 'stepId' | 'iteration'>): string {
  return `${r.workflowId}/${r.stepId}/${r.iteration}`;
}

export function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'outreach.local';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/** SMTP replies 5xx are permanent; 4xx and transport errors (no reply) are worth retrying. */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

const UNSUBSCRIBE_LINK_DAYS = 365;

export async function sendEmail(deps: SendDeps, req: SendRequest): Promise<SendResult> {
  const { db, transport, renderer, config } = deps;
  const key = ledgerKey(req);
  const messageId = messageIdFor(key, config.smtp.from);

  const existing = await db.sendLedger.findUnique({ where: { key } });
  if (existing) {
    switch (existing.status) {
      case 'sent':
        return { status: 'already-sent', messageId: existing.messageId };
      case 'ambiguous':
        return { status: 'ambiguous', messageId: existing.messageId, reason: existing.error ?? undefined };
      case 'suppressed':
      case 'failed':
        return { status: existing.status, messageId: existing.messageId, reason: existing.error ?? undefined };
      case 'sending':
        await db.sendLedger.update({
          where: { key },
          data: { status: 'ambiguous', error: 'the previous attempt ended without a recorded SMTP outcome' },
        });
        return { status: 'ambiguous', messageId: existing.messageId };
    }
  }

  const customer = await db.customer.findUnique({ where: { id: req.customerId } });
  if (!customer) throw nonRetryable(FailureType.CustomerNotFound, `customer ${req.customerId} does not exist (erased or never created)`);

  const row = {
    key, workflowId: req.workflowId, stepId: req.stepId, iteration: req.iteration, customerId: req.customerId,
    templateId: req.template, locale: customer.locale, category: req.category, messageId,
  };
  if (req.category === 'marketing' && !customer.consentMarketing) {
    await db.sendLedger.create({ data: { ...row, status: 'suppressed', error: 'no marketing consent' } });
    return { status: 'suppressed', messageId, reason: 'no marketing consent' };
  }

  const exp = Math.floor(Date.now() / 1000) + UNSUBSCRIBE_LINK_DAYS * 86400;
  const base = config.api.publicBaseUrl;
  const unsubscribe = `${base}/u/${signLink(config.secret, { p: 'unsubscribe', c: customer.id, e: exp, cat: req.category })}`;
  const links: Record<string, unknown> = {
    ...deps.account.links,
    ...(req.links ?? {}),
    unsubscribe,
    // One click tells the account owner this customer wants help (check-in emails).
    help: `${base}/h/${signLink(config.secret, { p: 'help', c: customer.id, e: exp, w: req.workflowId })}`,
  };
  if (req.survey) {
    const token = signLink(config.secret, {
      p: 'survey', c: customer.id, e: Math.floor(Date.parse(req.survey.closesAt) / 1000), s: req.survey.surveyId, k: req.survey.kind, w: req.workflowId,
    });
    const [lo, hi] = SURVEY_SCALES[req.survey.kind];
    links.scores = Array.from({ length: hi - lo + 1 }, (_, i) => ({ score: lo + i, url: `${base}/s/${token}?score=${lo + i}` }));
  }
  const enrollment = await db.enrollment.findUnique({ where: { workflowId: req.workflowId }, select: { startedAt: true } });
  let attributes: Record<string, unknown> = {};
  try {
    attributes = JSON.parse(customer.attributes);
  } catch {
    attributes = {};
  }
  const data: Record<string, unknown> = {
    ...deps.account.data,
    // Values the shipped templates use, computed per recipient.
    days: enrollment ? Math.floor((Date.now() - enrollment.startedAt.getTime()) / 86_400_000) : 0,
    memberSince: customer.createdAt.toISOString(),
    purchaseCount: await db.event.count({ where: { customerId: customer.id, name: 'purchase' } }),
    // null (not absent) lets a template skip the sentence; strict rendering treats absent as an error.
    lastVisit: typeof attributes.lastVisit === 'string' ? attributes.lastVisit : null,
    ...(req.survey ? { surveyKind: req.survey.kind } : {}),
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
  const labels = { template: req.template, locale: rendered.locale, category: req.category };

  // Claim the slot before talking to SMTP. The unique key makes a concurrent duplicate attempt fail here.
  if (existing) {
    await db.sendLedger.update({ where: { key }, data: { status: 'sending', attempts: { increment: 1 }, error: null } });
  } else {
    await db.sendLedger.create({ data: { ...row, status: 'sending', attempts: 1 } });
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
    const reason = (err as Error).message.split('\n')[0].slice(0, 500);
    if (isPermanentSmtpFailure(err)) {
      await db.sendLedger.update({ where: { key }, data: { status: 'failed', error: reason } });
      countEmail('failed', labels);
      return { status: 'failed', messageId, reason };
    }
    await db.sendLedger.update({ where: { key }, data: { status: 'retry', error: reason } });
    throw err; // retried by Temporal with backoff
  }
  observeSend(Number(process.hrtime.bigint() - sendStart) / 1e9, { category: req.category });
  await db.sendLedger.update({ where: { key }, data: { status: 'sent', sentAt: new Date(), error: null } });
  countEmail('sent', labels);
  return { status: 'sent', messageId };
}
