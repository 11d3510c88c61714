// Low scores are acted on: the survey workflow emails the account owner (low-score-alert, category
// "internal", exactly once per alert through the send ledger) and POSTs the alert webhook (retried
// by Temporal until the receiver accepts it). A comment given on the thanks page within the grace
// period rides along in the first alert; a comment after it sends one follow-up alert, threaded
// under the first. Good scores raise nothing.
import { randomUUID } from 'node:crypto';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery, type SurveyInput } from '../../workflows/survey/messages';
import { eventually, header, scoreLinks, startFeedbackStack, startWebhookReceiver, type FeedbackStack } from './support';

let s: FeedbackStack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  s = await startFeedbackStack({ env: { SURVEY_FATIGUE_DAYS: '0', ALERT_WEBHOOK_URL: hook.url, ALERT_COMMENT_GRACE_MINUTES: '10' } });
});
afterAll(async () => {
  await s?.stopAll();
  await hook?.close();
});

async function customer(locale: string): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  await s.db.customer.create({ data: { id, email: `${id}@example.com`, givenName: 'Dana', familyName: 'Reyes', locale, timeZone: 'America/Mexico_City', country: 'MX' } });
  return id;
}

async function startSurvey(customerId: string, input: Partial<SurveyInput> = {}) {
  const surveyId = `survey-esc-${randomUUID().slice(0, 8)}`;
  const handle = await s.env.client.workflow.start(surveyWorkflow, {
    workflowId: surveyId,
    taskQueue: s.taskQueue,
    args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 5 }, sequenceId: 'support-follow-up', stepId: 'csat', ...input }],
  });
  return { surveyId, handle };
}

const ownerMail = () => s.sink.messages.filter((m) => m.envelope.to[0] === 'owner@acme.example');

async function comment(scoreUrl: string, score: number, text: string) {
  const res = await s.fetch(scoreUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ score: String(score), comment: text }).toString(),
  });
  expect(res.status).toBe(200);
}

it('escalates a low score with its comment: one alert email to the owner and the webhook, retried until accepted', async () => {
  await s.withWorker(async () => {
    const before = s.sink.messages.length;
    const customerId = await customer('es');
    const { surveyId, handle } = await startSurvey(customerId);
    const email = (await s.mail(before + 1))[before];
    const link = scoreLinks(email).get(2)!;

    hook.failNext(1); // the receiver is down for the first attempt
    expect((await s.click(link)).status).toBe(200);
    await comment(link, 2, 'El pedido llegó tarde y nadie respondió.');

    const alert = await eventually(async () => ownerMail().find((m) => m.parsed.text?.includes(customerId)), 'the alert email');
    expect(alert.envelope.to).toEqual(['owner@acme.example']);
    expect(alert.parsed.subject).toBe(`Low CSAT score (2) from Dana Reyes <${customerId}@example.com> (${customerId})`);
    expect(alert.parsed.text).toContain('with a score of 2 out of 5');
    expect(alert.parsed.text).toContain('El pedido llegó tarde y nadie respondió.');
    expect(header(alert, 'x-outreach-alert')).toBe('survey.low_score');
    // Internal: no unsubscribe headers, and the customer gets nothing from it.
    expect(header(alert, 'list-unsubscribe')).toBeUndefined();

    // The webhook's first attempt failed (503): Temporal retries it after its backoff.
    await s.skipUntil(() => hook.calls.length >= 1, { step: '30 seconds', max: 40, what: 'the webhook call' });
    expect(hook.calls).toHaveLength(1);
    expect(hook.calls[0].headers['idempotency-key']).toBe(`${surveyId}/alert/0`);
    expect(hook.calls[0].body).toMatchObject({
      id: `${surveyId}/alert/0`, type: 'survey.low_score', surveyId, customerId, kind: 'csat', score: 2,
      comment: 'El pedido llegó tarde y nadie respondió.', sequenceId: 'support-follow-up', stepId: 'csat',
    });

    const ledger = await s.db.sendLedger.findUnique({ where: { key: `${surveyId}/alert/0` } });
    expect(ledger).toMatchObject({ status: 'sent', category: 'internal', templateId: 'low-score-alert', customerId });

    const result = await handle.result();
    expect(result).toMatchObject({ status: 'answered', score: 2, comment: 'El pedido llegó tarde y nadie respondió.' });
    expect(ownerMail().filter((m) => m.parsed.text?.includes(customerId))).toHaveLength(1);
    expect(hook.calls.filter((c) => c.body.surveyId === surveyId)).toHaveLength(1);
    expect((await handle.query(surveyStateQuery)).alerts).toBe(1);
  });
});

it('sends a follow-up alert when the comment arrives after the alert, and nothing for a good score', async () => {
  await s.withWorker(async () => {
    const before = s.sink.messages.length;
    const customerId = await customer('en');
    const { surveyId, handle } = await startSurvey(customerId, { kind: 'nps', template: 'nps-survey' });
    const email = (await s.mail(before + 1))[before];
    const links = scoreLinks(email);
    expect(links.size).toBe(11);

    expect((await s.click(links.get(6)!)).status).toBe(200); // a detractor
    // No comment within the grace period: the alert goes out without one.
    await s.env.sleep('11 minutes');
    const first = await eventually(async () => ownerMail().find((m) => m.parsed.text?.includes(customerId)), 'the first alert');
    expect(first.parsed.subject).toMatch(/^Low NPS score \(6\) from /);
    expect(first.parsed.text).toContain('They did not leave a comment.');

    await comment(links.get(6)!, 6, 'Too expensive for what it does.');
    const second = await eventually(async () => ownerMail().filter((m) => m.parsed.text?.includes(customerId))[1], 'the follow-up alert');
    expect(second.parsed.subject).toBe(`Re: ${first.parsed.subject}`);
    expect(second.parsed.inReplyTo).toBe(first.parsed.messageId);
    expect(second.parsed.text).toContain('Too expensive for what it does.');
    await s.skipUntil(() => hook.calls.filter((c) => c.body.surveyId === surveyId).length >= 2, { step: '30 seconds', max: 20, what: 'two webhook calls' });
    expect(hook.calls.filter((c) => c.body.surveyId === surveyId).map((c) => c.body.type)).toEqual(['survey.low_score', 'survey.low_score.updated']);

    // The customer changes their mind to a promoter score: stored, no further alert.
    expect((await s.click(links.get(9)!)).status).toBe(200);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'answered', score: 9, comment: 'Too expensive for what it does.' });
    expect(ownerMail().filter((m) => m.parsed.text?.includes(customerId))).toHaveLength(2);
    expect(await s.db.surveyResponse.findUnique({ where: { surveyId } })).toMatchObject({ score: 9, comment: 'Too expensive for what it does.' });
  });
});

it('raises nothing for a good score', async () => {
  await s.withWorker(async () => {
    const before = s.sink.messages.length;
    const owners = ownerMail().length;
    const calls = hook.calls.length;
    const customerId = await customer('en');
    const { handle } = await startSurvey(customerId);
    const email = (await s.mail(before + 1))[before];
    expect((await s.click(scoreLinks(email).get(4)!)).status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'answered', score: 4 });
    expect(ownerMail()).toHaveLength(owners);
    expect(hook.calls).toHaveLength(calls);
  });
});

it('a CES survey offers seven scores; a 3 ("disagree") alerts the owner in CES terms, a 4 does not', async () => {
  await s.withWorker(async () => {
    const before = s.sink.messages.length;
    const customerId = await customer('de');
    const { handle } = await startSurvey(customerId, { kind: 'ces', template: 'ces-survey' });
    const email = (await s.mail(before + 1))[before];
    expect(email.parsed.text).toContain('1 = stimme überhaupt nicht zu, 4 = neutral, 7 = stimme voll und ganz zu');
    const links = scoreLinks(email);
    expect([...links.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);

    expect((await s.click(links.get(3)!)).status).toBe(200);
    await s.env.sleep('11 minutes'); // past the comment grace period
    const alert = await eventually(async () => ownerMail().find((m) => m.parsed.text?.includes(customerId)), 'the CES alert');
    expect(alert.parsed.subject).toBe(`Low CES score (3) from Dana Reyes <${customerId}@example.com> (${customerId})`);
    expect(alert.parsed.text).toContain('answered the effort (CES) survey with a score of 3 out of 7');
    expect(await handle.result()).toMatchObject({ status: 'answered', score: 3 });

    const other = await customer('en');
    const mark = s.sink.messages.length;
    const calm = await startSurvey(other, { kind: 'ces', template: 'ces-survey' });
    const second = (await s.mail(mark + 1))[mark];
    expect(second.envelope.to).toEqual([`${other}@example.com`]);
    expect((await s.click(scoreLinks(second).get(4)!)).status).toBe(200);
    await s.env.sleep('11 minutes');
    expect(await calm.handle.result()).toMatchObject({ status: 'answered', score: 4 });
    expect(ownerMail().filter((m) => m.parsed.text?.includes(other))).toHaveLength(0);
  });
});
