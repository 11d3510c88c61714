// Survey metrics from seeded SurveyResponse rows, with numbers worked out by hand:
//
//   onboarding/nps      en, no country  sent 10  answers 10,10,9,8,6,0  -> 3 promoters, 1 passive,
//                                        2 detractors: NPS (3-2)/6 = 16.7; response rate 60%
//   post-purchase/csat  de, DE          sent 8   answers 5,4,4,3,1      -> 3 of 5 satisfied: CSAT 60%,
//                                        average 17/5 = 3.4; response rate 62.5%
//   support/csat        ja, JP          sent 3   answers 5,2 (+1 unanswered on the range's last day)
//                                        -> CSAT 1 of 2 = 50%, average 3.5; response rate 2/3 = 66.7%
//   total                               sent 21, answered 13: 61.9%; CSAT 4 of 7 = 57.1%, avg 24/7 = 3.43
//
// Rows sent before `since` or at/after `until` do not count. Same numbers from the API (ops scope)
// and the CLI, on SQLite and PostgreSQL.
import { startStack, type Stack } from '../support/stack';
import { surveysReportCommand } from '../../client/cli/commands/surveys';
import type { SurveyReport } from '../../client/api/surveys-report';

const SINCE = '2026-03-01';
const UNTIL = '2026-03-31';
const inRange = (day: number) => new Date(Date.UTC(2026, 2, day, 10));

async function seed(stack: Stack) {
  let n = 0;
  const add = async (sequenceId: string, stepId: string, kind: string, locale: string, country: string | null, score: number | null, sentAt = inRange(5)) => {
    n += 1;
    await stack.db.surveyResponse.create({
      data: {
        surveyId: `s-${n}`, customerId: `c-${n}`, kind, locale, country, score, sentAt, sequenceId, stepId, template: `${kind}-survey`,
        answeredAt: score === null ? null : new Date(sentAt.getTime() + 3600_000),
      },
    });
  };
  for (const score of [10, 10, 9, 8, 6, 0, null, null, null, null]) await add('onboarding', 'nps', 'nps', 'en', null, score);
  for (const score of [5, 4, 4, 3, 1, null, null, null]) await add('post-purchase', 'csat', 'csat', 'de', 'DE', score);
  for (const score of [5, 2]) await add('support', 'csat', 'csat', 'ja', 'JP', score);
  // Outside the range: before since, on the day after until (until's day is included), and far out.
  await add('onboarding', 'nps', 'nps', 'en', null, 0, new Date('2026-02-28T23:59:59Z'));
  await add('post-purchase', 'csat', 'csat', 'de', 'DE', 1, new Date('2026-04-01T00:00:00Z'));
  await add('support', 'csat', 'csat', 'ja', 'JP', 1, new Date('2025-01-01T00:00:00Z'));
  // The last day of the range counts.
  await add('support', 'csat', 'csat', 'ja', 'JP', null, new Date('2026-03-31T23:00:00Z'));
}

async function runCli(stack: Stack, argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const before = process.env.DATABASE_URL;
  process.env.DATABASE_URL = stack.config.database.url;
  try {
    return { code: await surveysReportCommand.run(argv), stdout };
  } finally {
    out.mockRestore();
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
  }
}

describe.each(['sqlite', 'postgresql'] as const)('survey report on %s', (provider) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ provider, worker: false });
    await seed(stack);
  });
  afterAll(async () => stack?.stop());

  it('computes NPS, CSAT and response rates per survey', async () => {
    const r = await stack.call('GET', `/v1/surveys/report?since=${SINCE}&until=${UNTIL}`);
    expect(r.status).toBe(200);
    const report = r.body as SurveyReport;
    expect(report).toMatchObject({ since: '2026-03-01T00:00:00.000Z', until: '2026-04-01T00:00:00.000Z', groupBy: ['survey'] });
    const by = Object.fromEntries(report.groups.map((g) => [g.group.survey, g]));
    expect(by['onboarding/nps']).toMatchObject({
      sent: 10, answered: 6, responseRate: 60, csat: null,
      nps: { sent: 10, answered: 6, promoters: 3, passives: 1, detractors: 2, nps: 16.7 },
    });
    expect(by['post-purchase/csat']).toMatchObject({ sent: 8, answered: 5, responseRate: 62.5, nps: null, csat: { satisfied: 3, csat: 60, average: 3.4 } });
    expect(by['support/csat']).toMatchObject({ sent: 3, answered: 2, responseRate: 66.7, csat: { satisfied: 1, csat: 50, average: 3.5 } });
    expect(report.total).toMatchObject({
      sent: 21, answered: 13, responseRate: 61.9,
      nps: { nps: 16.7, answered: 6 },
      csat: { sent: 11, answered: 7, satisfied: 4, csat: 57.1, average: 3.43 },
      ces: null,
    });
  });

  it('groups by locale and country, or not at all', async () => {
    const r = await stack.call('GET', `/v1/surveys/report?since=${SINCE}&until=${UNTIL}&groupBy=locale,country`);
    expect(r.status).toBe(200);
    const rows = (r.body as SurveyReport).groups.map((g) => [g.group.locale, g.group.country, g.sent, g.answered]);
    expect(rows).toEqual([['en', null, 10, 6], ['de', 'DE', 8, 5], ['ja', 'JP', 3, 2]]);
    const none = await stack.call('GET', `/v1/surveys/report?since=${SINCE}&until=${UNTIL}&groupBy=none`);
    expect(none.body.groups).toEqual([]);
    expect(none.body.total.sent).toBe(21);
    // An instant as until is exclusive: the last day's survey (23:00) is left out.
    const exclusive = await stack.call('GET', `/v1/surveys/report?since=${SINCE}&until=2026-03-31T23:00:00Z&groupBy=none`);
    expect(exclusive.body.total.sent).toBe(20);
  });

  it('needs the ops scope and says what is wrong with a bad query', async () => {
    expect((await fetch(`${stack.baseUrl}/v1/surveys/report`)).status).toBe(401);
    expect((await fetch(`${stack.baseUrl}/v1/surveys/report`, { headers: { authorization: `Bearer ${stack.keys.ingest}` } })).status).toBe(403);
    const ops = await fetch(`${stack.baseUrl}/v1/surveys/report`, { headers: { authorization: `Bearer ${stack.keys.ops}` } });
    expect(ops.status).toBe(200);
    const bad = await stack.call('GET', '/v1/surveys/report?groupBy=planet');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'groupBy' });
    expect(bad.body.errors[0].message).toMatch(/unknown dimension "planet"/);
    const date = await stack.call('GET', '/v1/surveys/report?since=2026-02-30');
    expect(date.status).toBe(400);
    expect(date.body.errors[0]).toMatchObject({ field: 'since' });
    const order = await stack.call('GET', `/v1/surveys/report?since=${UNTIL}&until=${SINCE}`);
    expect(order.status).toBe(400);
  });

  it('prints the same numbers from the CLI (table and --json)', async () => {
    const json = await runCli(stack, ['--since', SINCE, '--until', UNTIL, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as SurveyReport;
    expect(report.total).toMatchObject({ sent: 21, answered: 13, nps: { nps: 16.7 }, csat: { csat: 57.1 } });
    const table = await runCli(stack, ['--since', SINCE, '--until', UNTIL, '--group-by', 'country']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^country\s+sent\s+answered\s+response\s+NPS\s+CSAT\s+CES avg$/m);
    expect(table.stdout).toMatch(/^\(none\)\s+10\s+6\s+60%\s+16\.7 \(n=6\)\s+–\s+–$/m);
    expect(table.stdout).toMatch(/^DE\s+8\s+5\s+62\.5%\s+–\s+60% \(n=5\)\s+–$/m);
    expect(table.stdout).toMatch(/^total\s+21\s+13\s+61\.9%\s+16\.7 \(n=6\)\s+57\.1% \(n=7\)\s+–$/m);
  });
});

it('rejects bad CLI flags with exit code 2', async () => {
  await expect(surveysReportCommand.run(['--group-by', 'planet'])).rejects.toThrow(/--group-by unknown dimension "planet"/);
  await expect(surveysReportCommand.run(['--since', 'yesterday'])).rejects.toThrow(/--since must be a date/);
  await expect(surveysReportCommand.run(['--bogus'])).rejects.toThrow(/bogus/);
});
