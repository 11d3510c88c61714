// One interpreter: every shipped sequence and the language fixtures run through the engine (the
// sequence workflow on Temporal's time-skipping server, with the real worker, activities, database
// and SMTP sink) and through `sequence simulate` (the same state machine on a virtual clock), with
// the same customer, events and survey answers. Their timelines must agree step by step: the same
// steps with the same outcomes, at the same instants, the same emails at the same instants.
import fs from 'node:fs';
import path from 'node:path';
import { startTimeSkipping, type SkippingStack } from '../support/time-skipping';
import { enroll, seedCustomer, shipped, type CustomerSeed } from './helpers';
import { parseSequence } from '../../domain/sequence/parse';
import { simulate, type SimEvent } from '../../domain/sequence/simulate';
import { surveyIdFor } from '../../domain/sequence/machine';
import { accountCalendar } from '../../activities/calendar';
import { eventSignal } from '../../workflows/sequence/messages';
import { surveyAnswerSignal } from '../../workflows/survey/messages';
import { replaySequence } from '../replay/fixture';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SequenceDefinition } from '../../domain/sequence/types';

const DAY = 86_400_000;
const TOLERANCE_MS = 5_000;

interface Scenario {
  name: string;
  def: SequenceDefinition;
  customer: Omit<CustomerSeed, 'id'>;
  trigger?: Record<string, unknown>;
  /** Earlier events of the trigger's name (milestone history), days before the start. */
  history?: Array<{ daysBefore: number; properties: Record<string, unknown> }>;
  /** What happens, by time after the start. */
  events?: Array<{ after: number; name: string; properties?: Record<string, unknown> }>;
  answers?: Array<{ after: number; stepId: string; score: number }>;
}

const fixture = (file: string) => parseSequence(fs.readFileSync(path.join(__dirname, '..', 'sequence', 'fixtures', 'valid', file), 'utf8'), file);
const BERLIN = { timeZone: 'Europe/Berlin', country: 'DE', region: 'BY', locale: 'de' };

const scenarios: Scenario[] = [
  { name: 'onboarding, Berlin, nothing happens', def: shipped('onboarding'), customer: BERLIN },
  {
    name: 'onboarding, Tokyo, first value on day 3, NPS answered on day 33', def: shipped('onboarding'),
    customer: { timeZone: 'Asia/Tokyo', country: 'JP', locale: 'ja' },
    events: [{ after: 3 * DAY, name: 'first_value' }], answers: [{ after: 33 * DAY, stepId: 'nps', score: 9 }],
  },
  {
    name: 'onboarding, New York, unsubscribes on day 10', def: shipped('onboarding'),
    customer: { timeZone: 'America/New_York', country: 'US', locale: 'en' }, events: [{ after: 10 * DAY, name: 'unsubscribed' }],
  },
  {
    name: 'post-purchase, delivered on day 3, CSAT 2 after four days', def: shipped('post-purchase'), customer: BERLIN, trigger: { orderId: 'A-1' },
    events: [{ after: 3 * DAY, name: 'order_delivered', properties: { orderId: 'A-1' } }], answers: [{ after: 10 * DAY, stepId: 'csat', score: 2 }],
  },
  { name: 'post-purchase, never delivered', def: shipped('post-purchase'), customer: BERLIN, trigger: { orderId: 'A-2' } },
  {
    name: 'support follow-up, answered 5 after a week', def: shipped('support-follow-up'), customer: { timeZone: 'Asia/Ho_Chi_Minh', country: 'VN', locale: 'vi' },
    trigger: { ticketId: 'T-1' }, answers: [{ after: 7 * DAY, stepId: 'csat', score: 5 }],
  },
  {
    name: 'support follow-up, an answer before the survey email counts for nothing', def: shipped('support-follow-up'), customer: BERLIN,
    trigger: { ticketId: 'T-3' }, answers: [{ after: 3_600_000, stepId: 'csat', score: 1 }],
  },
  {
    name: 'support follow-up, reopened before the survey', def: shipped('support-follow-up'), customer: BERLIN, trigger: { ticketId: 'T-2' },
    events: [{ after: 3_600_000, name: 'ticket_reopened' }],
  },
  { name: 'call follow-up, unanswered', def: shipped('call-follow-up'), customer: { timeZone: 'America/Sao_Paulo', country: 'BR', locale: 'pt-BR' }, trigger: { callId: 'C-1' } },
  {
    name: 'loyalty, the 5th purchase', def: shipped('loyalty'), customer: BERLIN, trigger: { orderId: 'O-5' },
    history: [4, 3, 2, 1].map((d) => ({ daysBefore: d * 10, properties: { orderId: `O-${5 - d}` } })),
  },
  {
    name: 'every feature of the language', def: fixture('every-feature.yaml'), customer: { ...BERLIN, attributes: { plan: 'pro', segment: 'smb' } },
    trigger: { amount: 120 }, events: [{ after: 5 * DAY, name: 'order_delivered', properties: { carrier: 'dhl' } }],
    answers: [{ after: 12 * DAY, stepId: 'csat', score: 1 }],
  },
  {
    name: 'replay fixture: pro plan, first value, split', def: replaySequence, customer: { ...BERLIN, attributes: { plan: 'pro' } },
    events: [{ after: 4 * DAY, name: 'first_value' }],
  },
];

describe('the engine and the simulator agree', () => {
  let ts: SkippingStack;
  beforeAll(async () => {
    ts = await startTimeSkipping();
  });
  afterAll(async () => ts?.stop());

  it.each(scenarios.map((s, i) => [s.name, i] as const))('%s', async (_name, index) => {
    const s = scenarios[index]!;
    const customerId = `agree-${index}`;
    await seedCustomer(ts, { id: customerId, ...s.customer, consentMarketing: true });
    const happened: SimEvent[] = [];
    const start = await ts.env.currentTimeMs();
    const wallStart = Date.now();
    const trigger = { id: `trigger-${index}`, name: s.def.trigger.event, occurredAt: new Date(start).toISOString(), properties: s.trigger ?? {} };
    const { result, workflowId } = await ts.withWorker(async () => {
      const h = await enroll(ts, s.def, customerId, { entryKey: `scenario-${index}`, trigger });
      const steps = [
        ...(s.events ?? []).map((e) => ({ ...e, kind: 'event' as const })),
        ...(s.answers ?? []).map((a) => ({ ...a, kind: 'answer' as const })),
      ].sort((a, b) => a.after - b.after);
      for (const [i, x] of steps.entries()) {
        const now = await ts.env.currentTimeMs();
        if (start + x.after > now) await ts.env.sleep(start + x.after - now);
        const at = new Date(await ts.env.currentTimeMs()).toISOString();
        if (x.kind === 'event') {
          await h.signal(eventSignal, { id: `e-${index}-${i}`, name: x.name, occurredAt: at, properties: x.properties ?? {} });
          happened.push({ name: x.name, occurredAt: at, properties: x.properties ?? {}, id: `e-${index}-${i}` });
        } else {
          const surveyId = surveyIdFor(h.workflowId, x.stepId, 0);
          // A survey not started yet cannot be answered either.
          await ts.env.client.workflow.getHandle(surveyId).signal(surveyAnswerSignal, { surveyId, score: x.score }).catch((err: Error) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          });
          happened.push({ name: 'survey_answered', occurredAt: at, properties: { score: x.score, step: x.stepId } });
        }
      }
      return { result: await h.result(), workflowId: h.workflowId };
    });

    const sim = simulate(s.def, {
      customer: { email: `${customerId}@example.com`, ...s.customer, consent: { marketing: true } },
      customerId,
      seed: workflowId,
      start: trigger.occurredAt,
      events: [
        ...(s.history ?? []).map((h) => ({ name: s.def.trigger.event, occurredAt: new Date(start - h.daysBefore * DAY).toISOString(), properties: h.properties })),
        { name: trigger.name, occurredAt: trigger.occurredAt, properties: trigger.properties, id: trigger.id },
        ...happened,
      ],
      accountCalendar: accountCalendar(ts.config),
      spreadSends: ts.config.spreadSends,
      marketingCap: ts.config.delivery.marketingCap ?? null,
      surveyFatigueDays: ts.config.surveys.fatigueDays,
    });

    // The same steps with the same outcomes, at the same instants.
    const steps = (list: Array<{ stepId: string; type: string; outcome: string; finishedAt: string }>) => list.map((x) => `${x.type}:${x.stepId}:${x.outcome}`);
    const outcome = (o: string) => o.replace(/^already-sent$/, 'sent');
    expect(steps(result.stepsDone).map(outcome)).toEqual(steps(sim.machine!.stepsDone));
    // "The same instant" allows for the real time the engine spent working: the test server's clock
    // runs at least as fast as the wall clock, so each step can be late by the scenario's wall-clock
    // duration at most (seconds on a busy machine; a wrong business day or hour is far beyond it).
    const late = TOLERANCE_MS + (Date.now() - wallStart);
    const close = (engine: number, simulator: number) => engine - simulator >= -TOLERANCE_MS && engine - simulator <= late;
    result.stepsDone.forEach((x, i) => {
      const at = sim.machine!.stepsDone[i]!.finishedAt;
      expect({ step: x.stepId, engine: x.finishedAt, simulator: at, lateByMs: Date.parse(x.finishedAt) - Date.parse(at), allowedMs: [-TOLERANCE_MS, late], close: close(Date.parse(x.finishedAt), Date.parse(at)) })
        .toMatchObject({ close: true });
    });
    expect({ status: result.status, exitReason: result.exitReason, variant: result.variant }).toEqual({ status: sim.status, exitReason: sim.exitReason, variant: sim.variant });
    expect(!!result.goalReachedAt).toBe(!!sim.goalReachedAt);

    // The same emails at the same instants (the survey's own emails included).
    // The customer's emails (alerts to the account owner are recorded under the customer too).
    const rows = await ts.db.sendLedger.findMany({ where: { customerId, status: 'sent', category: { not: 'internal' } }, orderBy: { sentAt: 'asc' } });
    const engineMails = rows.map((r) => ({ template: r.templateId, at: r.sentAt!.getTime() }));
    const simMails = sim.sends.map((m) => ({ template: m.template!, at: Date.parse(m.at) }));
    expect(engineMails.map((m) => m.template)).toEqual(simMails.map((m) => m.template));
    engineMails.forEach((m, i) => {
      expect({ template: m.template, engine: new Date(m.at).toISOString(), simulator: new Date(simMails[i]!.at).toISOString(), lateByMs: m.at - simMails[i]!.at, allowedMs: [-TOLERANCE_MS, late], close: close(m.at, simMails[i]!.at) })
        .toMatchObject({ close: true });
    });
  }, 180_000);
});
