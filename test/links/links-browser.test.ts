// Survey and help links in a real browser (Debian's Chromium through playwright-core): opening the
// link is the whole click. The page's own script submits its one-tap form under the page's
// Content-Security-Policy, so the answer (or the help request) is recorded with no further click;
// with script off, the page's button does the same. Screenshots go to test-artifacts/ (git-ignored).
import { identityKey } from '../../client/api/identity';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../domain/config';
import { signLink } from '../../domain/signed-links';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery } from '../../workflows/survey/messages';
import { eventually, scoreLinks, startFeedbackStack, startWebhookReceiver, type FeedbackStack } from '../surveys/support';
import { helpRequestsStarted, settle } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

let s: FeedbackStack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let browser: Browser;
beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Chromium (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
  hook = await startWebhookReceiver();
  s = await startFeedbackStack({ env: { SURVEY_FATIGUE_DAYS: '0', ALERT_WEBHOOK_URL: hook.url } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await s?.stopAll();
  await hook?.close();
});

/** A fresh browser profile; `problems` collects CSP violations and script errors the page reports. */
async function tab(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 800, height: 700 }, ...opts });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { context, page, problems };
}

const local = (link: string) => link.replace('http://outreach.test', s.baseUrl);
const mailTo = (id: string) => s.sink.messages.filter((m) => m.envelope.to[0] === `${id}@example.com`);
const score = async (surveyId: string) => (await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.score ?? null;

async function surveyFor(locale: string) {
  const customerId = `c-${randomUUID().slice(0, 8)}`;
  await s.db.customer.create({ data: { id: customerId, email: `${customerId}@example.com`, givenName: 'Ines', locale, timeZone: 'Europe/Madrid', country: 'ES' } });
  const surveyId = `survey-browser-${randomUUID().slice(0, 8)}`;
  const handle = await s.env.client.workflow.start(surveyWorkflow, {
    workflowId: surveyId,
    taskQueue: s.taskQueue,
    args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 7 }, sequenceId: 'browser', stepId: 'csat' }],
  });
  await s.skipUntil(() => mailTo(customerId).length >= 1, { what: 'the survey email' });
  await eventually(async () => (await handle.query(surveyStateQuery)).phase === 'open', 'the survey open');
  return { surveyId, handle, links: scoreLinks(mailTo(customerId)[0]) };
}

it('opening a survey score link records the answer with no further click', async () => {
  await s.withWorker(async () => {
    const { surveyId, handle, links } = await surveyFor('es');
    const { context, page, problems } = await tab();
    try {
      await page.goto(local(links.get(4)!));
      // The one-tap page submitted itself: the thanks page (the POST's answer) is showing.
      await page.getByRole('heading', { name: '¡Gracias!' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('html').getAttribute('lang')).toBe('es');
      expect(await page.locator('bdi.score').innerText()).toBe('4');
      expect(await page.locator('textarea[name=comment]').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'links-survey-thanks.png'), fullPage: true });
      await eventually(async () => (await score(surveyId)) === 4, 'the answer stored');
      expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'answered', score: 4 });

      // The comment form on the thanks page still works in the browser.
      await page.fill('textarea[name=comment]', 'Todo perfecto.');
      await page.getByRole('button', { name: 'Enviar comentario' }).click();
      await page.getByRole('heading', { name: 'Gracias por su comentario' }).waitFor();
      await eventually(async () => (await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.comment === 'Todo perfecto.', 'the comment stored');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await settle(500);
      await handle.terminate('test over');
    }
  });
});

it('without script the page records nothing until its button is pressed', async () => {
  await s.withWorker(async () => {
    const { surveyId, handle, links } = await surveyFor('es');
    const { context, page } = await tab({ javaScriptEnabled: false });
    try {
      await page.goto(local(links.get(2)!));
      await page.getByRole('heading', { name: 'Enviar su respuesta' }).waitFor();
      expect(await page.locator('bdi.score').innerText()).toBe('2');
      await page.screenshot({ path: path.join(ARTIFACTS, 'links-survey-one-tap-no-script.png'), fullPage: true });
      await settle();
      expect(await score(surveyId)).toBeNull();

      await page.getByRole('button', { name: 'Enviar mi respuesta' }).click();
      await page.getByRole('heading', { name: '¡Gracias!' }).waitFor();
      await eventually(async () => (await score(surveyId)) === 2, 'the answer stored after the button');
    } finally {
      await context.close();
      await settle(500);
      await handle.terminate('test over');
    }
  });
});

it('opening an "I need help" link raises one alert with no further click', async () => {
  await s.withWorker(async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    await s.db.customer.create({ data: { id: customerId, email: `${customerId}@example.com`, givenName: 'Ines', familyName: 'Ortega', locale: 'ar', timeZone: 'Asia/Dubai', country: 'AE' } });
    const source = `checkin-browser-${randomUUID().slice(0, 8)}`;
    const link = `${s.baseUrl}/h/${signLink(s.config.secrets, { p: 'help', c: customerId, e: Math.floor(Date.now() / 1000) + 3600, w: source })}`;
    const owner = () => s.sink.messages.filter((m) => m.envelope.to[0] === 'owner@acme.example' && m.parsed.text?.includes(customerId));
    const { context, page, problems } = await tab();
    try {
      await page.goto(link);
      await page.getByRole('heading', { name: 'سنتواصل معكم' }).waitFor({ timeout: 15_000 });
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await page.screenshot({ path: path.join(ARTIFACTS, 'links-help-confirmed.png'), fullPage: true });

      const alert = await eventually(async () => owner()[0], 'the help alert email');
      expect(alert.parsed.subject).toBe(`Help requested by Ines Ortega <${customerId}@example.com> (${customerId})`);
      await eventually(async () => hook.calls.find((c) => c.body.customerId === customerId), 'the help webhook');
      const started = await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), customerId, source);
      expect(started).toHaveLength(1);
      await s.env.client.workflow.getHandle(started[0]).result();
      await settle();
      expect(owner()).toHaveLength(1);
      expect(hook.calls.filter((c) => c.body.customerId === customerId)).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
