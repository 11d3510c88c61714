// Survey answers end to end on real parts: the survey workflow on Temporal's time-skipping server
// sends the survey email to an SMTP sink; a score link is clicked over HTTP against the running API
// (its page, then the page's one-tap form post, as a browser does); the answer reaches the workflow
// as a signal, is stored in SurveyResponse, and counts as the workflow's result. Also: a second click updates the answer, a comment arrives by form POST, an
// unanswered survey gets its one reminder and closes, tampered and expired links record nothing.
import { createHash, randomUUID } from 'node:crypto';
import { signLink } from '../../domain/signed-links';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery, type SurveyInput } from '../../workflows/survey/messages';
import { eventually, header, scoreLinks, startFeedbackStack, type FeedbackStack } from './support';

let s: FeedbackStack;
beforeAll(async () => {
  s = await startFeedbackStack({ env: { SURVEY_FATIGUE_DAYS: '0' } });
});
afterAll(async () => s?.stopAll());

async function customer(locale: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  await s.db.customer.create({ data: { id, email: `${id}@example.com`, givenName: 'Alex', locale, timeZone: 'Europe/Berlin', country: 'DE', ...extra } });
  return id;
}

async function startSurvey(customerId: string, input: Partial<SurveyInput> = {}) {
  const surveyId = `survey-test-${randomUUID().slice(0, 8)}`;
  const handle = await s.env.client.workflow.start(surveyWorkflow, {
    workflowId: surveyId,
    taskQueue: s.taskQueue,
    args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 7 }, sequenceId: 'test-seq', stepId: 'csat', ...input }],
  });
  return { surveyId, handle };
}

const row = (surveyId: string) => s.db.surveyResponse.findUnique({ where: { surveyId } });

describe('a survey answered by one click', () => {
  it('records the click, updates it on a second click, takes a comment, and returns the answer', async () => {
    await s.withWorker(async () => {
      const before = s.sink.messages.length;
      const customerId = await customer('de');
      const { surveyId, handle } = await startSurvey(customerId, { reminder: { afterBusinessDays: 2, template: 'survey-reminder' } });
      const [, email] = [undefined, (await s.mail(before + 1))[before]];
      expect(email.envelope.to).toEqual([`${customerId}@example.com`]);
      expect(header(email, 'x-outreach-template')).toBe('csat-survey');
      const links = scoreLinks(email);
      expect([...links.keys()]).toEqual([1, 2, 3, 4, 5]);

      // The row exists from the send on: the denominator of response rates.
      const sent = await eventually(() => row(surveyId), 'the survey row');
      expect(sent).toMatchObject({ customerId, kind: 'csat', score: null, locale: 'de', country: 'DE', sequenceId: 'test-seq', stepId: 'csat', template: 'csat-survey' });

      // The link's page (GET) shows the chosen score and a form that posts it; nothing is recorded yet.
      const page = await s.fetch(links.get(4)!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.text).toContain('<html lang="de" dir="ltr">');
      expect(page.text).toContain('Ihre Antwort senden');
      expect(page.text).toMatch(/<form method="post" action="[^"]+\?score=4" data-auto-submit>/);
      expect(page.text).toContain('<input type="hidden" name="score" value="4">');
      // Its script (submitting the form on load) is the one the Content-Security-Policy allows by hash.
      const script = /<script>([^<]+)<\/script>/.exec(page.text)![1];
      const hash = createHash('sha256').update(script).digest('base64');
      expect(page.headers.get('content-security-policy')).toContain(`script-src 'sha256-${hash}'`);
      expect((await row(surveyId))!.score).toBeNull();

      // The form's post records the answer and thanks the customer, with the optional comment form.
      const thanks = await s.click(links.get(4)!);
      expect(thanks.status).toBe(200);
      expect(thanks.text).toContain('<html lang="de" dir="ltr">');
      expect(thanks.text).toContain('Vielen Dank!');
      expect(thanks.text).toMatch(/<form method="post" action="[^"]+\?score=4">/);
      expect(thanks.text).toContain('name="comment"');

      const stored = await eventually(async () => ((await row(surveyId))?.score === 4 ? row(surveyId) : null), 'the answer stored');
      expect(stored!.answeredAt).toBeInstanceOf(Date);
      expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'answered', score: 4, phase: 'open' });

      // Answered twice within the window: the later click replaces the earlier answer.
      expect((await s.click(links.get(5)!)).status).toBe(200);
      await eventually(async () => (await row(surveyId))?.score === 5, 'the answer updated to 5');

      // The optional comment, as the thanks page's form posts it.
      const action = /<form method="post" action="([^"]+)">/.exec((await s.click(links.get(5)!)).text)![1];
      const url = new URL(action, links.get(5)!).toString();
      const posted = await s.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ score: '5', comment: 'Schneller Versand,\r\nalles gut.' }).toString(),
      });
      expect(posted.status).toBe(200);
      expect(posted.text).toContain('Danke für Ihren Kommentar');
      await eventually(async () => (await row(surveyId))?.comment === 'Schneller Versand,\nalles gut.', 'the comment stored');

      // The window closes (time skips while we wait for the result): answered, no reminder sent.
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'answered', score: 5, comment: 'Schneller Versand,\nalles gut.' });
      expect(s.sink.messages.slice(before).map((m) => header(m, 'x-outreach-template'))).toEqual(['csat-survey']);
      expect((await row(surveyId))!.remindedAt).toBeNull();

      // After the window: the survey is closed, nothing changes.
      const late = await s.click(links.get(1)!);
      expect(late.status).toBe(410);
      expect(late.text).toContain('Diese Umfrage ist beendet');
      expect((await row(surveyId))!.score).toBe(5);
    });
  });
});

describe('a survey never answered', () => {
  it('sends one reminder after N business days, then closes as unanswered', async () => {
    await s.withWorker(async () => {
      const before = s.sink.messages.length;
      const customerId = await customer('ja');
      const { surveyId, handle } = await startSurvey(customerId, { kind: 'nps', template: 'nps-survey', window: { days: 14 }, reminder: { afterBusinessDays: 3, template: 'survey-reminder' } });
      const result = await handle.result();
      expect(result).toEqual({ status: 'unanswered' });
      const mine = s.sink.messages.slice(before).filter((m) => m.envelope.to[0] === `${customerId}@example.com`);
      expect(mine.map((m) => header(m, 'x-outreach-template'))).toEqual(['nps-survey', 'survey-reminder']);
      // The reminder carries the same 11 score links (same token: same window).
      expect([...scoreLinks(mine[1]).values()]).toEqual([...scoreLinks(mine[0]).values()]);
      const r = await row(surveyId);
      expect(r).toMatchObject({ kind: 'nps', score: null, answeredAt: null, locale: 'ja' });
      expect(r!.remindedAt!.getTime()).toBeGreaterThan(r!.sentAt.getTime());
      // Three business days later (Berlin working days), in business hours.
      const days = (r!.remindedAt!.getTime() - r!.sentAt.getTime()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(3);
      expect(days).toBeLessThanOrEqual(5.1);
    });
  });
});

describe('links that must record nothing', () => {
  it('answers a tampered link with a localized 400 page, an expired one with 410, a bad score with 400', async () => {
    await s.withWorker(async () => {
      const before = s.sink.messages.length;
      const customerId = await customer('ar');
      const { surveyId, handle } = await startSurvey(customerId);
      const email = (await s.mail(before + 1))[before];
      const link = scoreLinks(email).get(5)!;
      const token = /\/s\/([^?]+)/.exec(link)![1];
      const [keyId, body, mac] = token.split('.');

      // Tampered: the payload says another survey; the signature no longer matches.
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), s: 'someone-else' })).toString('base64url');
      const tampered = await s.fetch(`/s/${keyId}.${forged}.${mac}?score=1`, { headers: { 'accept-language': 'ja,en;q=0.5' } });
      expect(tampered.status).toBe(400);
      expect(tampered.text).toContain('<html lang="ja" dir="ltr">');
      expect(tampered.text).toContain('このリンクは無効です');
      const garbled = await s.fetch(`/s/${keyId}.${body}.${mac.slice(0, -2)}xA?score=1`);
      expect(garbled.status).toBe(400);
      expect(garbled.text).toContain('This link does not work');

      // Expired: correctly signed, but past its window. The customer's own language (Arabic, RTL).
      const expired = signLink(s.config.secret, { p: 'survey', c: customerId, e: Math.floor(Date.now() / 1000) - 60, s: surveyId, k: 'csat', w: surveyId });
      const exp = await s.fetch(`/s/${expired}?score=5`);
      expect(exp.status).toBe(410);
      expect(exp.text).toContain('<html lang="ar" dir="rtl">');
      expect(exp.text).toContain('انتهى هذا الاستطلاع');

      // A survey token is not a help token, and vice versa.
      expect((await s.fetch(`/h/${token}`)).status).toBe(400);

      // A score outside the kind's range.
      const bad = await s.fetch(link.replace('score=5', 'score=9'));
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('dir="rtl"');
      expect(bad.text).toMatch(/1.*5/);
      expect((await s.fetch(link.replace('score=5', 'score=abc'))).status).toBe(400);

      // HEAD (link scanners) records nothing either.
      expect((await s.fetch(link, { method: 'HEAD' })).status).toBe(404);

      await new Promise((r) => setTimeout(r, 500));
      expect((await row(surveyId))!.score).toBeNull();
      expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'unanswered' });
      await handle.terminate('test over');
    });
  });
});
