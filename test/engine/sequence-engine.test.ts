// The sequence engine on Temporal's time-skipping server: weeks pass in milliseconds while the
// worker, activities, database and SMTP sink are real.
import { DateTime } from 'luxon';
import { startTimeSkipping, type SkippingStack } from '../support/time-skipping';
import { enroll, inBusinessHours, seedCustomer, shipped, waitForState } from './helpers';
import { eventSignal, migrateSignal, pauseSignal, profileChangedSignal, resumeSignal, stateQuery } from '../../workflows/sequence/messages';
import { surveyStateQuery, surveyWorkflowId } from '../../workflows/survey/messages';
import type { SequenceDefinition } from '../../domain/sequence/types';

describe('sequence engine (time-skipping)', () => {
  let ts: SkippingStack;
  beforeAll(async () => {
    ts = await startTimeSkipping();
  });
  afterAll(async () => ts?.stop());
  beforeEach(() => ts.sink.clear());

  it('runs the whole shipped onboarding over 30+ days, every scheduled email inside local business hours', async () => {
    const place = { timeZone: 'Europe/Berlin', country: 'DE' };
    await seedCustomer(ts, { id: 'onb-1', ...place, locale: 'de' });
    const onboarding = shipped('onboarding');
    const start = await ts.env.currentTimeMs();
    let workflowId = '';
    const state = await ts.withWorker(async () => {
      const h = await enroll(ts, onboarding, 'onb-1');
      workflowId = h.workflowId;
      return h.result();
    });
    expect(state.status).toBe('completed');
    const sends = state.stepsDone.filter((s) => s.type === 'send');
    // welcome, tips-1, tips-2, the nudge (no first_value), check-in; then the NPS survey child.
    expect(sends.map((s) => s.stepId)).toEqual(['welcome', 'tips-1', 'tips-2', 'nudge', 'checkin']);
    expect(sends.every((s) => s.outcome === 'sent')).toBe(true);
    const byId = Object.fromEntries(onboarding.steps.map((s) => [s.id, s]));
    for (const s of sends) {
      if ((byId[s.stepId] as { at?: string }).at === 'now') continue; // the welcome goes out at once, by design
      expect({ step: s.stepId, at: s.finishedAt, inHours: inBusinessHours(ts, place, s.finishedAt) }).toEqual({ step: s.stepId, at: s.finishedAt, inHours: true });
    }
    const nps = state.stepsDone.find((s) => s.stepId === 'nps')!;
    expect(nps.outcome).toBe('unanswered');
    const survey = await ts.withWorker(() => ts.env.client.workflow.getHandle(surveyWorkflowId(workflowId, 'nps', 0)).query(surveyStateQuery));
    expect(inBusinessHours(ts, place, survey.sentAt!)).toBe(true);
    const surveyDay = (Date.parse(survey.sentAt!) - start) / 86_400_000;
    expect(surveyDay).toBeGreaterThanOrEqual(29);
    expect(surveyDay).toBeLessThan(36);
    // Every email really went over SMTP: 5 sends + the survey + its reminder.
    expect(ts.sink.messages.map((m) => m.parsed.subject)).toHaveLength(7);
    expect(new Set(ts.sink.messages.map((m) => m.parsed.messageId)).size).toBe(7);
    expect(ts.sink.messages.every((m) => m.envelope.to[0] === 'onb-1@example.com')).toBe(true);
  });

  it('exits when an exit event arrives during a wait, and sends nothing after it', async () => {
    await seedCustomer(ts, { id: 'exit-1', timeZone: 'America/New_York', country: 'US' });
    const def: SequenceDefinition = {
      id: 'cart', version: 1, trigger: { event: 'cart_abandoned' }, entry: { mode: 'oncePerCustomer' }, exit: { events: ['purchase'] },
      steps: [
        { id: 'remind-1', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
        { id: 'wait', type: 'wait', duration: { days: 3 } },
        { id: 'remind-2', type: 'send', template: 'onboarding-tips-2', category: 'marketing' },
      ],
    };
    const result = await ts.withWorker(async () => {
      const h = await enroll(ts, def, 'exit-1');
      await ts.sink.waitFor(1);
      await ts.env.sleep('1 day');
      await h.signal(eventSignal, { id: 'buy-1', name: 'purchase', occurredAt: new Date(await ts.env.currentTimeMs()).toISOString(), properties: {} });
      return h.result();
    });
    expect(result.status).toBe('exited');
    expect(result.exitReason).toBe('event:purchase');
    expect(result.stepsDone.map((s) => s.stepId)).toEqual(['remind-1']);
    expect(ts.sink.messages).toHaveLength(1);
    expect((await ts.db.enrollment.findFirst({ where: { customerId: 'exit-1' } }))?.status).toBe('exited');
  });

  it('holds a send while paused and recomputes its time on resume', async () => {
    const place = { timeZone: 'Asia/Tokyo', country: 'JP' };
    await seedCustomer(ts, { id: 'pause-1', ...place });
    const def: SequenceDefinition = {
      id: 'pausable', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'wait', type: 'wait', duration: { days: 2 } }, { id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'marketing' }],
    };
    const result = await ts.withWorker(async () => {
      const h = await enroll(ts, def, 'pause-1');
      await h.signal(pauseSignal);
      await ts.env.sleep('10 days');
      const paused = await h.query(stateQuery);
      expect(paused.status).toBe('paused');
      expect(ts.sink.messages).toHaveLength(0);
      const resumedAt = await ts.env.currentTimeMs();
      await h.signal(resumeSignal);
      const r = await h.result();
      expect(Date.parse(r.stepsDone.find((s) => s.stepId === 'hello')!.finishedAt)).toBeGreaterThanOrEqual(resumedAt);
      return r;
    });
    const sent = result.stepsDone.find((s) => s.stepId === 'hello')!;
    expect(sent.outcome).toBe('sent');
    expect(inBusinessHours(ts, place, sent.finishedAt)).toBe(true);
    expect(ts.sink.messages).toHaveLength(1);
  });

  it('moves a waiting send to the new time zone when the customer moves (updatable timer)', async () => {
    await seedCustomer(ts, { id: 'tz-1', timeZone: 'Asia/Tokyo', country: 'JP' });
    const def: SequenceDefinition = {
      id: 'movable', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'marketing' }],
    };
    const result = await ts.withWorker(async () => {
      // Start at 10:00 UTC on a weekday: after Tokyo's day (19:00 JST), before New York's (05:00/06:00).
      const now = DateTime.fromMillis(await ts.env.currentTimeMs(), { zone: 'UTC' });
      let target = now.set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
      if (target <= now) target = target.plus({ days: 1 });
      while (target.weekday > 4) target = target.plus({ days: 1 }); // Mon-Thu, so the next day is a working day in both places
      await ts.env.sleep(target.toMillis() - now.toMillis());
      const h = await enroll(ts, def, 'tz-1');
      const before = await waitForState(h, (st) => !!st.next?.at);
      expect(before.next?.zone).toBe('Asia/Tokyo');
      await ts.db.customer.update({ where: { id: 'tz-1' }, data: { timeZone: 'America/New_York', country: 'US' } });
      await h.signal(profileChangedSignal, { timeZone: 'America/New_York', country: 'US', version: 1 });
      const r = await h.result();
      expect(Date.parse(r.stepsDone[0].finishedAt)).not.toBe(Date.parse(before.next!.at!));
      return r;
    });
    const at = result.stepsDone[0].finishedAt;
    expect(inBusinessHours(ts, { timeZone: 'America/New_York', country: 'US' }, at)).toBe(true);
    expect(inBusinessHours(ts, { timeZone: 'Asia/Tokyo', country: 'JP' }, at)).toBe(false);
  });

  it('splits A/B deterministically and keeps a holdout that receives nothing but is measured', async () => {
    const def: SequenceDefinition = {
      id: 'ab-test', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [
        { id: 'ab', type: 'split', variants: [{ name: 'a', percent: 40, next: 'send-a' }, { name: 'b', percent: 40, next: 'send-b' }], holdout: { percent: 20 } },
        { id: 'send-a', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now', next: 'done' },
        { id: 'send-b', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now', next: 'done' },
        { id: 'done', type: 'end' },
      ],
    };
    const n = 30;
    const results = await ts.withWorker(async () => {
      const handles = [];
      for (let i = 0; i < n; i++) {
        await seedCustomer(ts, { id: `ab-${i}`, timeZone: 'UTC' });
        handles.push(await enroll(ts, def, `ab-${i}`));
      }
      // One at a time: concurrent result() calls each unlock time skipping, which the test server
      // does not balance well.
      const out = [];
      for (const h of handles) out.push(await h.result());
      return out;
    });
    const count = (v: string) => results.filter((r) => r.variant === v).length;
    expect(count('a') + count('b') + count('holdout')).toBe(n);
    expect(count('a')).toBeGreaterThan(0);
    expect(count('b')).toBeGreaterThan(0);
    expect(count('holdout')).toBeGreaterThan(0);
    for (const r of results) {
      if (r.variant === 'holdout') {
        expect(r.status).toBe('holdout');
        expect(r.stepsDone.filter((s) => s.type === 'send')).toHaveLength(0);
      } else {
        expect(r.stepsDone.find((s) => s.type === 'send')?.stepId).toBe(`send-${r.variant}`);
      }
    }
    expect(ts.sink.messages).toHaveLength(count('a') + count('b'));
    // Measured: every holdout enrollment is recorded with its outcome.
    expect(await ts.db.enrollment.count({ where: { sequenceId: 'ab-test', status: 'holdout' } })).toBe(count('holdout'));
  });

  it('keeps the snapshotted definition unless migrated, and migrates at a step boundary by mapping steps', async () => {
    await seedCustomer(ts, { id: 'mig-1', timeZone: 'UTC' });
    const v1: SequenceDefinition = {
      id: 'migrating', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'w1', type: 'wait', duration: { days: 1 } }, { id: 'old-send', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' }],
    };
    const v2: SequenceDefinition = {
      ...v1, version: 2,
      steps: [{ id: 'w1', type: 'wait', duration: { days: 1 } }, { id: 'wait-more', type: 'wait', duration: { days: 2 } }, { id: 'new-send', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now' }],
    };
    const r = await ts.withWorker(async () => {
      const h = await enroll(ts, v1, 'mig-1');
      await waitForState(h, (st) => st.currentStep === 'w1' && !!st.next);
      await h.signal(migrateSignal, { definition: v2, stepMap: { 'old-send': 'new-send' } });
      return h.result();
    });
    expect(r.sequenceVersion).toBe(2);
    expect(r.stepsDone.map((s) => `${s.type}:${s.stepId}`)).toEqual(['wait:w1', 'migration:old-send', 'send:new-send']);
    expect(ts.sink.messages).toHaveLength(1);
  });

  it('carries events, state and the inbox across continueAsNew', async () => {
    await seedCustomer(ts, { id: 'can-1', timeZone: 'UTC' });
    const def: SequenceDefinition = {
      id: 'long', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [
        { id: 'w1', type: 'wait', duration: { days: 1 } },
        { id: 'w2', type: 'wait', duration: { days: 1 } },
        { id: 'w3', type: 'wait', duration: { days: 1 } },
        { id: 'value', type: 'waitForEvent', event: 'first_value', timeout: { days: 1 }, onEvent: 'yes', onTimeout: 'no' },
        { id: 'no', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now', next: 'done' },
        { id: 'yes', type: 'send', template: 'onboarding-checkin', category: 'transactional', at: 'now' },
        { id: 'done', type: 'end' },
      ],
    };
    const { r, runs } = await ts.withWorker(async () => {
      const h = await enroll(ts, def, 'can-1', { historyLimit: 10 });
      // Arrives during w1, is kept in the inbox through the hand-overs, and satisfies the waitForEvent.
      await h.signal(eventSignal, { id: 'fv', name: 'first_value', occurredAt: new Date(await ts.env.currentTimeMs()).toISOString(), properties: {} });
      const result = await h.result();
      const first = await ts.env.client.workflow.getHandle(h.workflowId, h.firstExecutionRunId).describe();
      return { r: result, runs: first.runId !== (await h.describe()).runId };
    });
    expect(runs).toBe(true); // continued as new at least once
    expect(r.stepsDone.map((s) => s.stepId)).toEqual(['w1', 'w2', 'w3', 'value', 'yes', 'done']);
    expect(r.stepsDone.find((s) => s.stepId === 'value')?.outcome).toBe('event');
  });
});
