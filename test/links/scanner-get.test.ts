// Mail security gateways (Safe Links, Mimecast, Proofpoint) fetch every link of every email they let
// through, with a plain GET. Such a fetch must change nothing: no survey answer, no "I need help"
// alert. Only the customer's own form post (what the link's page sends) records anything.
// Real parts: Temporal's time-skipping server, the worker, SQLite, the SMTP sink, the HTTP API.
import { identityKey } from '../../client/api/identity';
import { randomUUID } from 'node:crypto';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery } from '../../workflows/survey/messages';
import { checkinWorkflowId } from '../../client/api/checkins';
import { eventually, linkIn, scoreLinks, startFeedbackStack, startWebhookReceiver, type FeedbackStack } from '../surveys/support';
import { engineLinks, helpRequestsStarted, postForm, scanLikeAGateway, settle } from './support';

let s: FeedbackStack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  hook = await startWebhookReceiver();
  s = await startFeedbackStack({ env: { SURVEY_FATIGUE_DAYS: '0', CHECKIN_AUTO_START: 'true', ALERT_WEBHOOK_URL: hook.url } });
});
afterAll(async () => {
  await s?.stopAll();
  await hook?.close();
});

const mailTo = (id: string) => s.sink.messages.filter((m) => m.envelope.to[0] === `${id}@example.com`);
const ownerMailAbout = (id: string) => s.sink.messages.filter((m) => m.envelope.to[0] === 'owner@acme.example' && m.parsed.text?.includes(id));

it('a GET of every link of a survey email (as a scanner does) records no answer', async () => {
  await s.withWorker(async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    await s.db.customer.create({ data: { id: customerId, email: `${customerId}@example.com`, givenName: 'Alex', locale: 'de', timeZone: 'Europe/Berlin', country: 'DE' } });
    const surveyId = `survey-scan-${randomUUID().slice(0, 8)}`;
    const handle = await s.env.client.workflow.start(surveyWorkflow, {
      workflowId: surveyId,
      taskQueue: s.taskQueue,
      args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 7 }, sequenceId: 'scan', stepId: 'csat' }],
    });
    try {
      await s.skipUntil(() => mailTo(customerId).length >= 1, { what: 'the survey email' });
      const email = mailTo(customerId)[0];
      const links = engineLinks(email);
      expect(links.filter((l) => l.includes('/s/'))).toHaveLength(5);

      const statuses = await scanLikeAGateway(s, links);
      expect(statuses).toMatchObject({ '/s/': [200], '/u/': [200] });
      await settle();

      const row = await s.db.surveyResponse.findUnique({ where: { surveyId } });
      expect({ score: row?.score, answeredAt: row?.answeredAt }).toEqual({ score: null, answeredAt: null });
      expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'unanswered', phase: 'open' });
      expect(ownerMailAbout(customerId)).toHaveLength(0);

      // The same observation sees an answer when the customer's browser posts the link's form.
      const four = scoreLinks(email).get(4)!;
      expect((await postForm(s, four, { score: '4' })).status).toBe(200);
      await eventually(async () => (await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.score === 4, 'the posted answer stored');
      expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'answered', score: 4 });
    } finally {
      await handle.terminate('test over');
    }
  });
});

it('a GET of every link of a check-in email (as a scanner does) starts no help request and sends no alert', async () => {
  await s.withWorker(async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    const put = await s.call('PUT', `/v1/customers/${id}`, {
      email: `${id}@example.com`, givenName: 'Lan', familyName: 'Nguyen', locale: 'vi', timeZone: 'Asia/Ho_Chi_Minh', country: 'VN', consent: { marketing: true },
    });
    expect(put.status).toBe(200);
    const checkin = checkinWorkflowId(await identityKey(s.db, s.config), id);
    try {
      await s.skipUntil(() => mailTo(id).length >= 1, { step: '1 day', max: 40, what: 'the first check-in' });
      const email = mailTo(id)[0];
      const help = linkIn(email, /\/h\//);

      const statuses = await scanLikeAGateway(s, engineLinks(email));
      expect(statuses).toMatchObject({ '/h/': [200], '/u/': [200] });
      await settle();

      expect(await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), id, checkin)).toEqual([]);
      expect(ownerMailAbout(id)).toHaveLength(0);
      expect(hook.calls.filter((c) => c.body.customerId === id)).toHaveLength(0);

      // The same observation sees the alert when the customer's browser posts the page's form.
      expect((await postForm(s, help)).status).toBe(200);
      const alert = await eventually(async () => ownerMailAbout(id)[0], 'the help alert');
      expect(alert.parsed.subject).toBe(`Help requested by Lan Nguyen <${id}@example.com> (${id})`);
      expect(await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), id, checkin)).toHaveLength(1);
    } finally {
      await s.env.client.workflow.getHandle(checkin).terminate('test over');
    }
  });
});
