// Surveys inside sequences: a sequence branches on the survey child's result (`survey.score`); the
// survey fatigue rule (one survey per customer per SURVEY_FATIGUE_DAYS, default 30) skips a second
// survey, also one due at the same instant, and the sequence carries on; the shipped call-follow-up
// sequence starts on call_completed and asks for a CSAT score.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseSequence } from '../../domain/sequence/parse';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { EnrollmentState } from '../../workflows/sequence/messages';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { eventually, header, scoreLinks, startFeedbackStack, type FeedbackStack } from './support';

const branching: SequenceDefinition = {
  id: 'ticket-feedback',
  version: 1,
  trigger: { event: 'ticket_closed' },
  entry: { mode: 'oncePerKey', key: 'ticketId' },
  steps: [
    { id: 'csat', type: 'survey', kind: 'csat', template: 'csat-survey', window: { days: 3 } },
    {
      id: 'how', type: 'branch',
      cases: [
        { when: { field: 'survey.score', op: 'lte', value: 2 }, next: 'sorry' },
        { when: { field: 'survey.score', op: 'exists' }, next: 'glad' },
      ],
      otherwise: 'done',
    },
    { id: 'sorry', type: 'send', template: 'survey-thanks', category: 'transactional', next: 'done' },
    { id: 'glad', type: 'send', template: 'onboarding-tips-1', category: 'transactional', next: 'done' },
    { id: 'done', type: 'end' },
  ],
};

const callFollowUp = parseSequence(fs.readFileSync(path.join(__dirname, '../../sequences/call-follow-up.yaml'), 'utf8'), 'sequences/call-follow-up.yaml');

let s: FeedbackStack;
beforeAll(async () => {
  s = await startFeedbackStack({ sequences: [branching, callFollowUp] }); // SURVEY_FATIGUE_DAYS: default 30
});
afterAll(async () => s?.stopAll());

async function customer(): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  const put = await s.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Sam', locale: 'en', timeZone: 'Europe/London', country: 'GB' });
  expect(put.status).toBe(200);
  return id;
}

async function event(customerId: string, name: string, properties: Record<string, unknown>): Promise<string> {
  const r = await s.call('POST', '/v1/events', { id: randomUUID(), customerId, name, occurredAt: new Date().toISOString(), properties });
  expect(r.status).toBe(202);
  expect(r.body.started).toHaveLength(1);
  return r.body.started[0] as string;
}

const mailTo = (customerId: string) => s.sink.messages.filter((m) => m.envelope.to[0] === `${customerId}@example.com`);

it('branches on the survey score: a low score takes one path, a good one the other', async () => {
  await s.withWorker(async () => {
    const low = await customer();
    const wf = await event(low, 'ticket_closed', { ticketId: 'T-1' });
    await s.skipUntil(() => mailTo(low).length >= 1, { what: 'the survey email' });
    expect((await s.click(scoreLinks(mailTo(low)[0]).get(2)!)).status).toBe(200);
    const state = (await s.env.client.workflow.getHandle(wf).result()) as EnrollmentState;
    expect(state.status).toBe('completed');
    expect(state.stepsDone.map((d) => [d.stepId, d.outcome])).toEqual([
      ['csat', 'answered:2'], ['how', 'case:1'], ['sorry', 'sent'], ['done', expect.anything()],
    ].slice(0, state.stepsDone.length));
    expect(mailTo(low).map((m) => header(m, 'x-outreach-template'))).toEqual(['csat-survey', 'survey-thanks']);
    // The thanks after a low score says someone will follow up (data.followUp from the answer).
    const thanksLow = mailTo(low)[1].parsed.text ?? '';
    expect(thanksLow).toContain('Someone from our team will contact you soon');

    const good = await customer();
    const wf2 = await event(good, 'ticket_closed', { ticketId: 'T-2' });
    await s.skipUntil(() => mailTo(good).length >= 1, { what: 'the second survey email' });
    expect((await s.click(scoreLinks(mailTo(good)[0]).get(5)!)).status).toBe(200);
    const state2 = (await s.env.client.workflow.getHandle(wf2).result()) as EnrollmentState;
    expect(state2.stepsDone.filter((d) => d.stepId !== 'done').map((d) => [d.stepId, d.outcome])).toEqual([['csat', 'answered:5'], ['how', 'case:2'], ['glad', 'sent']]);
    expect(mailTo(good).map((m) => header(m, 'x-outreach-template'))).toEqual(['csat-survey', 'onboarding-tips-1']);
  });
});

it('skips a second survey due at the same instant (fatigue); the sequence carries on', async () => {
  await s.withWorker(async () => {
    const id = await customer();
    // Two tickets closed at once: two enrollments, two survey children due at the same instant.
    const [a, b] = await Promise.all([event(id, 'ticket_closed', { ticketId: 'A' }), event(id, 'ticket_closed', { ticketId: 'B' })]);
    // Let time pass in steps until the survey email is out, so both claims are decided before
    // result() lets the test server skip freely (it may jump far ahead while nothing is scheduled).
    await s.skipUntil(() => mailTo(id).length >= 1, { what: 'the survey email' });
    // One result() at a time: each unlocks the test server's time skipping while it waits.
    const results: EnrollmentState[] = [];
    for (const w of [a, b]) results.push((await s.env.client.workflow.getHandle(w).result()) as EnrollmentState);
    const outcomes = results.map((r) => r.stepsDone.find((d) => d.stepId === 'csat')!.outcome).sort();
    expect(outcomes).toEqual(['skipped:fatigue', 'unanswered']);
    for (const r of results) expect(r.status).toBe('completed');
    expect(mailTo(id).map((m) => header(m, 'x-outreach-template'))).toEqual(['csat-survey']);
    expect(await s.db.surveyResponse.count({ where: { customerId: id } })).toBe(1);
  });
});

it('asks again once the fatigue period has passed', async () => {
  await s.withWorker(async () => {
    const id = await customer();
    const start = async (label: string) => {
      const surveyId = `survey-fatigue-${label}-${randomUUID().slice(0, 6)}`;
      const handle = await s.env.client.workflow.start(surveyWorkflow, {
        workflowId: surveyId, taskQueue: s.taskQueue,
        args: [{ surveyId, customerId: id, kind: 'nps', template: 'nps-survey', window: { days: 1 } }],
      });
      // The claim is the workflow's first step: wait for its decision in real time.
      await eventually(async () => (await s.db.surveyGate.findUnique({ where: { customerId: id } }))?.surveyId === surveyId
        || (await handle.describe()).status.name === 'COMPLETED', 'the fatigue decision');
      return handle;
    };
    const first = await start('day0');
    await s.skipUntil(() => mailTo(id).length >= 1, { what: 'the first survey email' });
    const claimed = (await s.db.surveyGate.findUnique({ where: { customerId: id } }))!.claimedAt;

    await s.env.sleep('10 days');
    expect(await (await start('day10')).result()).toEqual({ status: 'skipped', reason: 'fatigue' });

    await s.env.sleep('21 days');
    const later = await start('day31');
    await s.skipUntil(() => mailTo(id).length >= 2, { what: 'the second survey email' });
    const now = (await s.db.surveyGate.findUnique({ where: { customerId: id } }))!;
    expect(now.surveyId).toBe(later.workflowId);
    expect(now.claimedAt.getTime() - claimed.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(mailTo(id).map((m) => header(m, 'x-outreach-template'))).toEqual(['nps-survey', 'nps-survey']);
    expect((await first.describe()).status.name).toBe('COMPLETED');
    await later.terminate('test over');
  });
});

it('ships call-follow-up: a completed call gets a CSAT survey and one reminder', async () => {
  await s.withWorker(async () => {
    const id = await customer();
    const wf = await event(id, 'call_completed', { callId: 'call-77' });
    const state = (await s.env.client.workflow.getHandle(wf).result()) as EnrollmentState;
    expect(state.status).toBe('completed');
    expect(state.stepsDone.map((d) => [d.stepId, d.outcome])).toEqual([
      ['let-it-settle', 'elapsed'], ['csat', 'unanswered'], ['answered', 'otherwise'], ['done', expect.anything()],
    ].slice(0, state.stepsDone.length));
    expect(mailTo(id).map((m) => header(m, 'x-outreach-template'))).toEqual(['csat-survey', 'survey-reminder']);
    const row = await s.db.surveyResponse.findFirst({ where: { customerId: id } });
    expect(row).toMatchObject({ sequenceId: 'call-follow-up', stepId: 'csat', kind: 'csat', template: 'csat-survey', score: null });
  });
});
