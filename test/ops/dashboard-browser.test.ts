// The dashboard in a real browser (Debian's Chromium through playwright-core): log in with an ops
// key, check that the numbers on screen are the API's, click through to runs, and keep screenshots
// in test-artifacts/ (git-ignored) for a person to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startStack, http, type Stack } from '../support/stack';
import { PROJECT_ROOT } from '../../domain/config';
import { count, opsSequences, seedRuns, seedSurveys, seedUpcoming, start, until, type Seeded } from './support/seed';

// Functions passed to waitForFunction run in the page (the page's CSP forbids evaluating strings);
// the project compiles without the DOM library, so the page's global is declared here.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the browser's document, typed by no lib here

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

describe('ops dashboard in Chromium', () => {
  let stack: Stack;
  let runs: Seeded;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const api = (url: string) => http(stack.baseUrl, 'GET', url, undefined, { authorization: `Bearer ${stack.keys.ops}` }).then((r) => r.body);

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Chromium (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`);
    stack = await startStack({ sequences: opsSequences });
    runs = await seedRuns(stack);
    await seedUpcoming(stack);
    await seedSurveys(stack);
    // Enough runs for a second page of the runs table (25 a page).
    for (let i = 0; i < 10; i++) await start(stack, `ops-more-${i}`, { locale: ['en', 'de', 'fr', 'es', 'ja'][i % 5], country: ['US', 'DE', 'FR', 'ES', 'JP'][i % 5] }, 'ops_once');
    await until('the extra runs completed', async () => (await count(stack, `OutreachSequence = 'ops-once' AND ExecutionStatus = 'Completed'`)) === 11);
    await stack.db.sendLedger.create({
      data: { key: `${runs.waiting[1]}/y/0`, workflowId: runs.waiting[1], stepId: 'y', iteration: 0, customerId: 'c', templateId: 'onboarding-tips-2', locale: 'ja', category: 'marketing', status: 'failed', messageId: '<b@x>', attempts: 3, error: '550 5.1.1 mailbox unavailable' },
    });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  const loaded = async () => {
    await page.waitForFunction(() => !!document.body.dataset.loaded, undefined, { timeout: 30_000 });
  };
  const text = (sel: string) => page.locator(sel).first().innerText();

  it('asks for a key, then shows the same numbers as the API', async () => {
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#login-key', stack.keys.ingest);
    await page.click('#login-form button[type=submit]');
    await page.locator('#login-error').waitFor({ state: 'visible' });
    expect(await text('#login-error')).toMatch(/ops/);
    await page.fill('#login-key', stack.keys.ops);
    await page.click('#login-form button[type=submit]');
    await loaded();
    expect(await page.locator('#home').isVisible()).toBe(true);
    const cookies = await browser.cookies();
    expect(cookies.find((c) => c.name === 'outreach_ops')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const overview = await api('/v1/ops/overview');
    for (const state of ['waiting', 'sending', 'paused', 'failed', 'completed']) {
      expect({ state, shown: await text(`[data-testid=total-${state}]`) }).toEqual({ state, shown: String(overview.totals[state]) });
    }
    const failures = await api('/v1/ops/failures');
    expect(await text('[data-testid=total-sent]')).toBe(String(failures.ledgerCounts.sent));
    expect(await text('[data-testid=total-problems]')).toBe('1');
    expect(await text('[data-testid=survey-nps-score]')).toBe('+25');
    expect(await text('[data-testid=survey-nps-rate]')).toBe('67%');
    expect(await text('[data-testid=survey-csat-score]')).toBe('67%');

    // The charts draw the API's figures: sums of the bars equal the API's totals.
    const sum = (sel: string) => page.$$eval(sel, (els) => els.reduce((s, e) => s + Number(e.getAttribute('data-value')), 0));
    const running = overview.sequences.reduce((s: number, q: { waiting: number; sending: number; paused: number; failed: number; completed: number }) => s + q.waiting + q.sending + q.paused + q.failed + q.completed, 0);
    expect(await sum('#by-sequence rect[data-key]')).toBe(running);
    const due = await api('/v1/ops/due');
    expect(await sum('#due rect[data-key]')).toBe(due.buckets.reduce((s: number, b: { sends: number; other: number }) => s + b.sends + b.other, 0));
    expect(await sum('#due rect[data-key]')).toBeGreaterThan(0);
    const sends = await api('/v1/ops/sends');
    expect(await sum('#sends rect[data-key=sent]')).toBe(sends.byStatus.sent);
    expect(await page.locator('#survey-trend circle').count()).toBeGreaterThan(0);
    expect(await page.locator('#failed-runs').innerText()).toMatch(/TemplateError/);
    expect(await page.locator('#ledger-problems').innerText()).toMatch(/550 5\.1\.1 mailbox unavailable/);
    // First page of the runs table: 25 rows, newest first, with a next page.
    expect(await page.locator('#runs tbody tr').count()).toBe(25);
    expect(await page.locator('#next').isEnabled()).toBe(true);
    // Running runs show their next action in the customer's zone as well as in UTC.
    expect(await page.locator(`#runs tr:has(a[data-run="${runs.waiting[0]}"])`).innerText()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(\+0[12]:00\) Europe\/Berlin/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('pages and filters the runs table', async () => {
    await page.click('#next');
    await page.waitForFunction(() => document.getElementById('page-info').textContent === 'page 2');
    const total = (await api('/v1/ops/runs?pageSize=500')).runs.length;
    expect(await page.locator('#runs tbody tr').count()).toBe(total - 25);
    await page.selectOption('#f-state', 'failed');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 1);
    expect(await page.locator('#runs tbody').innerText()).toContain(runs.failed);
  });

  it('clicks through to a failed run and to a waiting one', async () => {
    await page.click(`#failed-runs a[data-run="${runs.failed}"]`);
    await page.locator('[data-testid=run-failure]').waitFor({ state: 'visible' });
    expect(await text('[data-testid=run-id]')).toBe(runs.failed);
    expect(await text('[data-testid=run-failure]')).toMatch(/TemplateError: .*no-such-template.*sendStepEmail, 1 attempt/);
    expect(await page.locator('[data-testid=temporal-link]').getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${runs.failed}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-failed-run.png'), fullPage: true });

    await page.goto(`${stack.baseUrl}/dashboard#run/${runs.waiting[0]}`);
    await page.locator('[data-testid=run-next]').waitFor({ state: 'visible' });
    const detail = await api(`/v1/ops/runs/${runs.waiting[0]}`);
    const next = await text('[data-testid=run-next]');
    expect(next).toContain('Europe/Berlin');
    expect(next).toContain(`${detail.next.at.slice(0, 16).replace('T', ' ')} UTC`);
    expect(next).toContain(detail.next.local.slice(0, 16).replace('T', ' '));
    expect(await page.locator('#run table').innerText()).toMatch(/welcome\s+send[\s\S]*sent[\s\S]*onboarding-welcome \(de\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-run.png'), fullPage: true });
  });
});
