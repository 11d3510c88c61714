// A profile change that arrives while a send slot is being computed (issue 14, defect 9), and a
// survey that waits for its send slot when the customer moves. In both, the email must go out in the
// business hours of the customer's new place.
//
// The slot computation is made slow for one call (it reads the customer first, then takes a few
// seconds), so the change lands exactly between the read and the result: a real activity, late.
import path from 'node:path';
import { DateTime } from 'luxon';
import { Worker } from '@temporalio/worker';
import { startTimeSkipping, type SkippingStack } from '../support/time-skipping';
import { enroll, inBusinessHours, seedCustomer, waitForState } from './helpers';
import { createSequenceActivities } from '../../activities/sequence';
import { TemplateRenderer } from '../../activities/render';
import { loadAccount } from '../../domain/account';
import { DEFAULT_TEMPLATES_DIR } from '../../worker/runtime';
import { workflowBundle } from '../../worker/worker';
import { emailTaskQueue } from '../../domain/config';
import { profileChangedSignal, stateQuery } from '../../workflows/sequence/messages';
import { surveyStateQuery, surveyWorkflowId } from '../../workflows/survey/messages';
import { startCheckin } from '../../client/api/checkins';
import { checkinStateQuery } from '../../workflows/checkin/messages';
import type { SequenceDefinition } from '../../domain/sequence/types';

const TOKYO = { timeZone: 'Asia/Tokyo', country: 'JP' };
const NEW_YORK = { timeZone: 'America/New_York', country: 'US' };

/** Both workers with the real activities; `slowNext(ms)` makes the next slot computation return `ms` late. */
async function startWorkers(ts: SkippingStack) {
  const account = loadAccount(path.join(DEFAULT_TEMPLATES_DIR, 'account.json'), ts.config.api.publicBaseUrl);
  const acts = createSequenceActivities({ config: ts.config, db: ts.db, transport: ts.transport, renderer: new TemplateRenderer(), account });
  let delay = 0;
  let began: () => void = () => undefined;
  const activities = {
    ...acts,
    async nextSendTime(r: Parameters<typeof acts.nextSendTime>[0]) {
      const slot = await acts.nextSendTime(r);
      if (delay) {
        const ms = delay;
        delay = 0;
        began();
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      return slot;
    },
  };
  const main = await Worker.create({ connection: ts.env.nativeConnection, taskQueue: ts.taskQueue, workflowBundle: await workflowBundle(), activities });
  const email = await Worker.create({ connection: ts.env.nativeConnection, taskQueue: emailTaskQueue(ts.taskQueue), activities: { sendStepEmail: acts.sendStepEmail } });
  return {
    slowNext(ms: number): Promise<void> {
      delay = ms;
      return new Promise((resolve) => (began = resolve));
    },
    async runUntil<T>(fn: () => Promise<T>): Promise<T> {
      return email.runUntil(() => main.runUntil(fn));
    },
  };
}

/** Sleeps (test-server time) to the next weekday 10:00 UTC: after Tokyo's business day, before New York's. */
async function toTenUtc(ts: SkippingStack) {
  const now = DateTime.fromMillis(await ts.env.currentTimeMs(), { zone: 'UTC' });
  let target = now.set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  if (target <= now) target = target.plus({ days: 1 });
  while (target.weekday > 4) target = target.plus({ days: 1 });
  await ts.env.sleep(target.toMillis() - now.toMillis());
}

async function move(ts: SkippingStack, customerId: string, workflowId: string, version: number) {
  await ts.db.customer.update({ where: { id: customerId }, data: NEW_YORK });
  await ts.env.client.workflow.getHandle(workflowId).signal(profileChangedSignal, { ...NEW_YORK, region: null, version });
}

describe('profile changes racing a send slot', () => {
  let ts: SkippingStack;
  beforeAll(async () => {
    ts = await startTimeSkipping({ env: { CHECKIN_CADENCE_DAYS: '1' } });
  });
  afterAll(async () => ts?.stop());

  it('sequence: a move that lands while the slot is computed moves the send', async () => {
    await seedCustomer(ts, { id: 'race-seq', ...TOKYO });
    const def: SequenceDefinition = {
      id: 'movable', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'marketing' }],
    };
    const workers = await startWorkers(ts);
    const result = await workers.runUntil(async () => {
      await toTenUtc(ts);
      // Longer than a workflow task's timeout, so the change is delivered while the slot is pending.
      const slow = workers.slowNext(12_000);
      const h = await enroll(ts, def, 'race-seq');
      await slow;
      await new Promise((r) => setTimeout(r, 500));
      await move(ts, 'race-seq', h.workflowId, 1);
      return h.result();
    });
    const sent = result.stepsDone.find((s) => s.stepId === 'hello')!;
    expect(sent.outcome).toBe('sent');
    expect({ at: sent.finishedAt, newYorkHours: inBusinessHours(ts, NEW_YORK, sent.finishedAt) }).toEqual({ at: sent.finishedAt, newYorkHours: true });
  }, 120_000);

  it('check-in: a move that lands while the slot is computed moves the check-in', async () => {
    await seedCustomer(ts, { id: 'race-chk', ...TOKYO });
    const workers = await startWorkers(ts);
    const sentAt = await workers.runUntil(async () => {
      await toTenUtc(ts);
      const started = await startCheckin({ db: ts.db, temporal: ts.env.client, config: ts.config, taskQueue: ts.taskQueue }, 'race-chk');
      expect(started.started).toBe(true);
      const h = ts.env.client.workflow.getHandle(started.workflowId);
      await waitForState(h, (s) => s.next?.kind === 'wait');
      const slow = workers.slowNext(3_000);
      let began = false;
      void slow.then(() => (began = true));
      for (let i = 0; i < 48 && !began; i++) await ts.env.sleep('1 hour');
      await slow;
      await move(ts, 'race-chk', started.workflowId, 1);
      for (let i = 0; i < 72; i++) {
        const st = await h.query(checkinStateQuery);
        if (st.sent >= 1) break;
        await ts.env.sleep('1 hour');
      }
      const row = await ts.db.sendLedger.findFirst({ where: { customerId: 'race-chk', status: 'sent' } });
      await h.terminate('test over');
      return row!.sentAt!.toISOString();
    });
    expect({ at: sentAt, newYorkHours: inBusinessHours(ts, NEW_YORK, sentAt) }).toEqual({ at: sentAt, newYorkHours: true });
  }, 180_000);

  it('survey: a customer who moves while the survey waits for its send slot gets it in the new business hours', async () => {
    await seedCustomer(ts, { id: 'race-srv', ...TOKYO });
    const def: SequenceDefinition = {
      id: 'ask', version: 1, trigger: { event: 'ticket_closed' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'csat', type: 'survey', kind: 'csat', template: 'csat-survey', window: { days: 3 } }],
    };
    const workers = await startWorkers(ts);
    const sentAt = await workers.runUntil(async () => {
      await toTenUtc(ts);
      const h = await enroll(ts, def, 'race-srv');
      await waitForState(h, (s) => s.next?.kind === 'survey');
      const survey = ts.env.client.workflow.getHandle(surveyWorkflowId(h.workflowId, 'csat', 0));
      await new Promise((r) => setTimeout(r, 500));
      await move(ts, 'race-srv', h.workflowId, 1);
      for (let i = 0; i < 72; i++) {
        const st = await survey.query(surveyStateQuery);
        if (st.sentAt) break;
        await ts.env.sleep('1 hour');
      }
      const st = await survey.query(surveyStateQuery);
      await h.query(stateQuery);
      await h.terminate('test over');
      return st.sentAt!;
    });
    expect({ at: sentAt, newYorkHours: inBusinessHours(ts, NEW_YORK, sentAt) }).toEqual({ at: sentAt, newYorkHours: true });
  }, 180_000);
});
