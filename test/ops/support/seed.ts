// Runs in every state ops care about, on the real stack: waiting on a long (business-day) wait,
// paused, completed, failed (a template that does not exist: TemplateError), cancelled. Shared by the
// CLI, API and browser suites.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { SequenceDefinition } from '../../../domain/sequence/types';
import type { Stack } from '../../support/stack';
import { pauseSignal } from '../../../workflows/sequence/messages';

export const opsSequences: SequenceDefinition[] = [
  {
    id: 'ops-long', version: 1, trigger: { event: 'ops_long' }, entry: { mode: 'oncePerCustomer' },
    steps: [
      { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
      { id: 'long-wait', type: 'wait', duration: { businessDays: 20 } },
      { id: 'later', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    ],
  },
  {
    id: 'ops-once', version: 1, trigger: { event: 'ops_once' }, entry: { mode: 'oncePerCustomer' },
    steps: [{ id: 'hello', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
  },
  {
    id: 'ops-broken', version: 1, trigger: { event: 'ops_broken' }, entry: { mode: 'oncePerCustomer' },
    steps: [{ id: 'oops', type: 'send', template: 'no-such-template', category: 'transactional', at: 'now' }],
  },
  {
    id: 'ops-soon', version: 1, trigger: { event: 'ops_soon' }, entry: { mode: 'oncePerCustomer' },
    steps: [
      { id: 'short-wait', type: 'wait', duration: { hours: 5 } },
      { id: 'nudge', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    ],
  },
  {
    id: 'ops-send', version: 1, trigger: { event: 'ops_send' }, entry: { mode: 'oncePerCustomer' },
    steps: [{ id: 'tips', type: 'send', template: 'onboarding-tips-1', category: 'transactional' }],
  },
];

export interface Seeded {
  waiting: string[];
  paused: string;
  completed: string;
  failed: string;
  /** A running run of ops-long the suites may cancel. */
  toCancel: string;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function start(stack: Stack, customer: string, profile: Record<string, unknown>, event: string): Promise<string> {
  const put = await stack.call('PUT', `/v1/customers/${customer}`, { email: `${customer}@example.com`, ...profile });
  if (put.status !== 200) throw new Error(`PUT customer: ${put.status} ${JSON.stringify(put.body)}`);
  const post = await stack.call('POST', '/v1/events', { id: `evt-${customer}`, customerId: customer, name: event, occurredAt: new Date().toISOString() });
  if (post.status !== 202 || post.body.started.length !== 1) throw new Error(`POST event: ${post.status} ${JSON.stringify(post.body)}`);
  return post.body.started[0] as string;
}

/** Visibility count of a query within the stack's task queue. */
export function count(stack: Stack, query: string): Promise<number> {
  return stack.temporal.workflow.count(`TaskQueue = '${stack.taskQueue}' AND ${query}`).then((r) => r.count);
}

export async function seedRuns(stack: Stack): Promise<Seeded> {
  const waiting = await Promise.all([
    start(stack, 'ops-berlin', { locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', givenName: 'Anna' }, 'ops_long'),
    start(stack, 'ops-tokyo', { locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP' }, 'ops_long'),
  ]);
  const paused = await start(stack, 'ops-newyork', { locale: 'en', timeZone: 'America/New_York', country: 'US' }, 'ops_long');
  const toCancel = await start(stack, 'ops-paris', { locale: 'fr', timeZone: 'Europe/Paris', country: 'FR' }, 'ops_long');
  const completed = await start(stack, 'ops-done', { locale: 'en', country: 'GB' }, 'ops_once');
  const failed = await start(stack, 'ops-broken', { locale: 'en', country: 'US' }, 'ops_broken');

  await until('four runs waiting on the long wait', async () =>
    (await count(stack, `OutreachSequence = 'ops-long' AND OutreachStep = 'long-wait' AND OutreachState = 'waiting' AND ExecutionStatus = 'Running'`)) === 4);
  await stack.temporal.workflow.getHandle(paused).signal(pauseSignal);
  await until('the paused run', async () => (await count(stack, `OutreachState = 'paused' AND ExecutionStatus = 'Running'`)) === 1);
  await until('the completed run', async () => (await count(stack, `WorkflowId = '${completed}' AND ExecutionStatus = 'Completed'`)) === 1);
  await until('the failed run', async () => (await count(stack, `WorkflowId = '${failed}' AND ExecutionStatus = 'Failed'`)) === 1);
  return { waiting, paused, completed, failed, toCancel };
}

/**
 * More runs for the charts: waits ending within hours and sends scheduled in business hours, for
 * customers around the world (how many fall within 24 hours depends on the weekday and hour).
 */
export async function seedUpcoming(stack: Stack): Promise<string[]> {
  const zones = ['Europe/Berlin', 'America/Los_Angeles', 'Asia/Singapore', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Kolkata'];
  const ids: string[] = [];
  for (const [i, zone] of zones.entries()) {
    ids.push(await start(stack, `ops-soon-${i}`, { locale: i % 2 ? 'en' : 'de', timeZone: zone }, 'ops_soon'));
    ids.push(await start(stack, `ops-send-${i}`, { locale: i % 2 ? 'en' : 'de', timeZone: zone }, 'ops_send'));
  }
  await until('upcoming runs scheduled', async () =>
    (await count(stack, `OutreachSequence = 'ops-soon' AND ExecutionStatus = 'Running' AND OutreachNextActionAt > '2000-01-01T00:00:00Z'`)) === zones.length
    // A send due right now (the customer's business hours) goes out at once and completes the run.
    && (await count(stack, `OutreachSequence = 'ops-send' AND ((ExecutionStatus = 'Running' AND OutreachState = 'waiting' AND OutreachNextActionAt > '2000-01-01T00:00:00Z') OR ExecutionStatus = 'Completed')`)) === zones.length);
  // Hold the scheduled sends (paused runs keep their next action time): an email going out in the
  // middle of a test would change the figures it compares.
  const sends = ids.filter((id) => id.startsWith('seq-ops-send-'));
  await Promise.all(sends.map((id) => stack.temporal.workflow.getHandle(id).signal(pauseSignal).catch(() => undefined)));
  await until('scheduled sends held', async () =>
    (await count(stack, `OutreachSequence = 'ops-send' AND ExecutionStatus = 'Running' AND OutreachState != 'paused'`)) === 0);
  return ids;
}

/** Survey rows as the survey workflow stores them (another engineer's feature; the table is the contract). */
export async function seedSurveys(stack: Stack): Promise<void> {
  const now = Date.now();
  const rows: Array<[string, number | null, string, string | null, number]> = [
    // kind, score (null = unanswered), locale, country, days ago
    ['nps', 10, 'en', 'US', 1], ['nps', 9, 'de', 'DE', 2], ['nps', 8, 'en', 'US', 2], ['nps', 3, 'de', 'DE', 3],
    ['nps', null, 'en', 'US', 1], ['nps', null, 'fr', null, 4],
    ['csat', 5, 'en', 'GB', 1], ['csat', 4, 'de', 'DE', 2], ['csat', 2, 'en', 'GB', 5], ['csat', null, 'en', 'GB', 1],
  ];
  await stack.db.surveyResponse.createMany({
    data: rows.map(([kind, score, locale, country, ago], i) => ({
      surveyId: `survey-${i}`, customerId: `erased-${i}`, kind, score, locale, country,
      sentAt: new Date(now - ago * 86_400_000), answeredAt: score === null ? null : new Date(now - ago * 86_400_000 + 3_600_000),
    })),
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = path.join(__dirname, 'cli.js');

function cliEnv(stack: Stack, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH, HOME: process.env.HOME,
    DATABASE_URL: stack.config.database.url,
    TEMPORAL_ADDRESS: stack.config.temporal.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    OUTREACH_SECRET: stack.config.secret,
    ...env,
  };
}

/** Runs `outreach <args>` on a pseudo-terminal (util-linux `script`), typing `answer` at its prompt. */
export function cliOnTerminal(stack: Stack, args: string[], answer: string): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { env: cliEnv(stack), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    // Typed once the prompt is up (the CLI connects first).
    setTimeout(() => child.stdin?.end(`${answer}\n`), 3000);
  });
}

/** Runs `outreach <args>` in a child process against the stack (its database, Temporal, task queue). */
export function cli(stack: Stack, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], {
      env: cliEnv(stack, env),
      timeout: 60_000,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
