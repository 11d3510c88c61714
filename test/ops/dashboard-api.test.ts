// The ops JSON endpoints, the dashboard's cookie login and /metrics on the real stack, with runs in
// every state: the numbers come from Temporal visibility, the send ledger and the survey table.
import { startStack, http, type Stack } from '../support/stack';
import { startMetricsServer } from '../../activities/observability';
import { OpsStats } from '../../client/dashboard/stats';
import { SequenceRegistry } from '../../domain/sequence/registry';
import { count, opsSequences, seedRuns, seedSurveys, seedUpcoming, until, type Seeded } from './support/seed';

/** Value of one Prometheus sample (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('ops API', () => {
  let stack: Stack;
  let runs: Seeded;
  let upcoming: string[];
  const ops = (url: string, method = 'GET', body?: unknown) => http(stack.baseUrl, method, url, body, { authorization: `Bearer ${stack.keys.ops}` });
  beforeAll(async () => {
    stack = await startStack({ sequences: opsSequences });
    runs = await seedRuns(stack);
    upcoming = await seedUpcoming(stack);
    await seedSurveys(stack);
    // Emails needing attention, as the send path records them (with the run's customer; the second one's customer is gone).
    const customerOf = async (workflowId: string) => (await stack.db.enrollment.findUniqueOrThrow({ where: { workflowId }, select: { customerId: true } })).customerId;
    await stack.db.sendLedger.createMany({
      data: [
        { key: `${runs.waiting[0]}/x/0`, workflowId: runs.waiting[0], stepId: 'x', iteration: 0, customerId: await customerOf(runs.waiting[0]), templateId: 'onboarding-tips-1', locale: 'de', category: 'marketing', status: 'ambiguous', messageId: '<a@x>', attempts: 2, error: 'the previous attempt ended without a recorded SMTP outcome' },
        { key: `${runs.waiting[1]}/y/0`, workflowId: runs.waiting[1], stepId: 'y', iteration: 0, customerId: 'gone', templateId: 'onboarding-tips-2', locale: 'ja', category: 'marketing', status: 'failed', messageId: '<b@x>', attempts: 3, error: '550 mailbox unavailable' },
      ],
    });
  });
  afterAll(async () => stack?.stop());

  it('needs the ops scope', async () => {
    for (const url of ['/v1/ops/overview', '/v1/ops/runs', `/v1/ops/runs/${runs.failed}`, '/v1/ops/due', '/v1/ops/failures', '/v1/ops/sends', '/v1/ops/surveys', '/metrics']) {
      expect((await http(stack.baseUrl, 'GET', url)).status).toBe(401);
      expect((await http(stack.baseUrl, 'GET', url, undefined, { authorization: `Bearer ${stack.keys.ingest}` })).status).toBe(403);
    }
  });

  it('counts runs by sequence, step and state', async () => {
    const o = await ops('/v1/ops/overview');
    expect(o.status).toBe(200);
    const long = o.body.sequences.find((s: { sequenceId: string }) => s.sequenceId === 'ops-long');
    expect(long).toMatchObject({ running: 4, waiting: 3, paused: 1, sending: 0, failed: 0, completed: 0 });
    expect(long.steps).toEqual([
      { stepId: 'welcome', type: 'send', waiting: 0, sending: 0, paused: 0 },
      { stepId: 'long-wait', type: 'wait', waiting: 3, sending: 0, paused: 1 },
      { stepId: 'later', type: 'send', waiting: 0, sending: 0, paused: 0 },
    ]);
    expect(o.body.sequences.find((s: { sequenceId: string }) => s.sequenceId === 'ops-once')).toMatchObject({ completed: 1, running: 0 });
    expect(o.body.sequences.find((s: { sequenceId: string }) => s.sequenceId === 'ops-broken')).toMatchObject({ failed: 1, running: 0 });
    const held = o.body.sequences.find((s: { sequenceId: string }) => s.sequenceId === 'ops-send');
    expect(held).toMatchObject({ waiting: 0, sending: 0 }); // seedUpcoming holds the scheduled sends
    expect(o.body.totals.paused).toBe(1 + held.paused);
    expect(o.body.totals.failed).toBe(1);
    expect(o.body.enrollments).toContainEqual({ sequence: 'ops-broken', status: 'failed', count: 1 });
    // The totals agree with the runs listing, state by state.
    for (const state of ['waiting', 'sending', 'paused', 'failed', 'completed']) {
      const page = await ops(`/v1/ops/runs?state=${state}&pageSize=500`);
      expect({ state, n: page.body.runs.length }).toEqual({ state, n: o.body.totals[state] });
    }
  });

  it('counts by step with few visibility queries, and the per-step figures only every minute', async () => {
    let calls = 0;
    const temporal = Object.create(stack.temporal) as typeof stack.temporal;
    const workflow = Object.create(stack.temporal.workflow) as typeof stack.temporal.workflow;
    workflow.count = (q?: string) => { calls++; return stack.temporal.workflow.count(q); };
    Object.defineProperty(temporal, 'workflow', { value: workflow });
    const ctx = { temporal, namespace: stack.config.temporal.namespace, taskQueue: stack.taskQueue, temporalUiUrl: stack.config.ops.temporalUiUrl, db: stack.db };
    const stats = new OpsStats(ctx, new SequenceRegistry(opsSequences), 0, 60_000);
    const o = await stats.overview();
    const first = calls;
    expect(o.sequences.find((x) => x.sequenceId === 'ops-long')!.steps).toEqual([
      { stepId: 'welcome', type: 'send', waiting: 0, sending: 0, paused: 0 },
      { stepId: 'long-wait', type: 'wait', waiting: 3, sending: 0, paused: 1 },
      { stepId: 'later', type: 'send', waiting: 0, sending: 0, paused: 0 },
    ]);
    // One count per step unless the step has runs in more than one state; the old way asked a total
    // and three states for every step with runs.
    let bound = 0, before = 0;
    for (const seq of o.sequences) {
      bound += 1; before += 1;
      if (!seq.running) continue;
      bound += 3; before += 3;
      const present = [seq.waiting, seq.sending, seq.paused].filter((n) => n > 0).length;
      for (const st of seq.steps) {
        const n = st.waiting + st.sending + st.paused;
        bound += n ? Math.max(1, present) : 1;
        before += n ? 4 : 1;
      }
    }
    expect(first).toBeLessThanOrEqual(bound);
    expect(first).toBeLessThan(before);
    // Within the minute, a refresh asks the per-sequence figures only.
    const again = await stats.overview();
    expect(calls - first).toBe(o.sequences.reduce((n, seq) => n + 1 + (seq.running ? 3 : 0), 0));
    expect(again.sequences.find((x) => x.sequenceId === 'ops-long')!.steps).toEqual(o.sequences.find((x) => x.sequenceId === 'ops-long')!.steps);
  });

  it('lists runs page by page with filters, and rejects bad ones naming the field', async () => {
    const first = await ops('/v1/ops/runs?sequence=ops-long&pageSize=3');
    expect(first.body.runs).toHaveLength(3);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await ops(`/v1/ops/runs?sequence=ops-long&pageSize=3&pageToken=${first.body.nextPageToken}`);
    expect(second.body.runs).toHaveLength(1);
    expect(second.body.nextPageToken).toBeUndefined();
    const paused = await ops('/v1/ops/runs?state=paused&sequence=ops-long');
    expect(paused.body.runs.map((r: { workflowId: string }) => r.workflowId)).toEqual([runs.paused]);
    for (const [q, field] of [['state=sleeping', 'state'], ['nextBefore=soon', 'nextBefore'], ['pageSize=0', 'pageSize'], ["sequence=a'b", 'sequence'], ['pageToken=%25%25', 'pageToken']]) {
      const r = await ops(`/v1/ops/runs?${q}`);
      expect({ q, status: r.status }).toEqual({ q, status: 400 });
      expect(r.body.errors[0].field).toBe(field);
    }
  });

  it('shows one run with its timeline, next action and Temporal link', async () => {
    const r = await ops(`/v1/ops/runs/${runs.waiting[0]}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      workflowId: runs.waiting[0], sequence: 'ops-long', step: 'long-wait', state: 'waiting',
      next: { kind: 'wait', stepId: 'long-wait', zone: 'Europe/Berlin' },
      temporalUrl: `http://127.0.0.1:8233/namespaces/default/workflows/${runs.waiting[0]}`,
    });
    expect(r.body.timeline[0]).toMatchObject({ stepId: 'welcome', outcome: 'sent', email: { status: 'sent' } });
    expect(r.body.timeline[1]).toMatchObject({ stepId: 'x', unfinished: true, email: { status: 'ambiguous', attempts: 2 } });
    const f = await ops(`/v1/ops/runs/${runs.failed}`);
    expect(f.body.failure).toMatchObject({ type: 'TemplateError', activityType: 'sendStepEmail', attempts: 1, retryState: 'NonRetryableFailure' });
    expect(f.body.failure.message).toMatch(/no-such-template/);
    expect((await ops('/v1/ops/runs/seq-unknown')).status).toBe(404);
  });

  it('pauses and resumes through the API with a Bearer key', async () => {
    const id = upcoming[0];
    expect((await ops(`/v1/ops/runs/${id}/pause`, 'POST', {})).body).toEqual({ workflowId: id, ok: true });
    await until('paused', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'paused'`)) === 1);
    expect((await ops(`/v1/ops/runs/${id}/resume`, 'POST', {})).status).toBe(200);
    await until('resumed', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'waiting'`)) === 1);
    expect((await ops(`/v1/ops/runs/${id}/explode`, 'POST', {})).status).toBe(400);
    expect((await ops(`/v1/ops/runs/${runs.completed}/pause`, 'POST', {})).status).toBe(409);
  });

  it('charts next actions due in the next 24 hours, matching the runs listing', async () => {
    const due = await ops('/v1/ops/due');
    expect(due.body.buckets).toHaveLength(24);
    const total = due.body.buckets.reduce((s: number, b: { sends: number; other: number }) => s + b.sends + b.other, 0);
    const until24h = await ops(`/v1/ops/runs?nextBefore=${new Date(Date.parse(due.body.buckets[0].hour) + 24 * 3_600_000).toISOString()}&pageSize=500`);
    const future = until24h.body.runs.filter((r: { nextActionAt: string }) => Date.parse(r.nextActionAt) >= Date.parse(due.body.generatedAt));
    expect(total).toBe(future.length);
    // Every short wait (5 hours) ends within the window, as "other".
    const other = due.body.buckets.reduce((s: number, b: { other: number }) => s + b.other, 0);
    expect(other).toBeGreaterThanOrEqual(6);
    const sends = due.body.buckets.reduce((s: number, b: { sends: number }) => s + b.sends, 0);
    expect(sends).toBe(future.filter((r: { step: string }) => r.step === 'tips').length);
  });

  it('reports failures with reasons and attempts', async () => {
    const f = await ops('/v1/ops/failures');
    expect(f.body.failedWorkflows).toBe(1);
    expect(f.body.workflows).toHaveLength(1);
    expect(f.body.workflows[0]).toMatchObject({ workflowId: runs.failed, sequence: 'ops-broken', failure: { type: 'TemplateError' } });
    expect(f.body.ledgerCounts).toMatchObject({ ambiguous: 1, failed: 1 });
    expect(f.body.ledger).toEqual(expect.arrayContaining([
      expect.objectContaining({ workflowId: runs.waiting[1], status: 'failed', attempts: 3, error: '550 mailbox unavailable' }),
      expect.objectContaining({ workflowId: runs.waiting[0], status: 'ambiguous', attempts: 2 }),
    ]));
  });

  it('counts emails per hour and by locale and country', async () => {
    const s = await ops('/v1/ops/sends');
    expect(s.body.hours).toHaveLength(48);
    const sent = await stack.db.sendLedger.count({ where: { status: 'sent' } });
    expect(s.body.hours.reduce((n: number, h: { sent: number }) => n + h.sent, 0)).toBe(sent);
    expect(s.body.byStatus.sent).toBe(sent);
    expect(s.body.byLocale).toContainEqual({ locale: 'ja', sent: 1, failed: 1, suppressed: 0, ambiguous: 0 });
    expect(s.body.byCountry).toContainEqual({ country: 'JP', sent: 1, failed: 0, suppressed: 0, ambiguous: 0 });
    expect(s.body.byCountry).toContainEqual(expect.objectContaining({ country: 'unknown', failed: 1, ambiguous: 0 })); // ledger rows whose customer is gone
    expect(s.body.byCountry).toContainEqual(expect.objectContaining({ country: 'DE', ambiguous: 1 })); // the run's customer
  });

  it('computes NPS and CSAT, response rates and breakdowns from the survey answers', async () => {
    const s = await ops('/v1/ops/surveys');
    const nps = s.body.kinds.find((k: { kind: string }) => k.kind === 'nps');
    expect(nps).toMatchObject({ sent: 6, answered: 4, responseRate: 0.667, score: 25, distribution: { 3: 1, 8: 1, 9: 1, 10: 1 } });
    expect(s.body.kinds.find((k: { kind: string }) => k.kind === 'csat')).toMatchObject({ sent: 4, answered: 3, score: 67 });
    expect(s.body.trend.filter((t: { kind: string }) => t.kind === 'nps')).toHaveLength(30);
    expect(s.body.byLocale).toContainEqual({ kind: 'nps', locale: 'de', sent: 2, answered: 2, responseRate: 1, score: 0 });
    expect(s.body.byCountry).toContainEqual({ kind: 'nps', country: 'unknown', sent: 1, answered: 0, responseRate: 0, score: null });
  });

  it('serves Prometheus metrics: counters move after a send; ledger, enrollment and survey gauges', async () => {
    const before = (await ops('/metrics'));
    expect(before.status).toBe(200);
    const labels = { outcome: 'sent', template: 'onboarding-welcome', locale: 'en', category: 'transactional' };
    const sentBefore = sample(before.body as unknown as string, 'outreach_emails_total', labels);
    const renderBefore = sample(before.body as unknown as string, 'outreach_render_seconds_count', { template: 'onboarding-welcome', locale: 'en' });
    await stack.call('PUT', '/v1/customers/ops-metrics', { email: 'metrics@example.com', locale: 'en' });
    const post = await stack.call('POST', '/v1/events', { id: 'evt-ops-metrics', customerId: 'ops-metrics', name: 'ops_once', occurredAt: new Date().toISOString() });
    await stack.temporal.workflow.getHandle(post.body.started[0]).result();
    const after = (await ops('/metrics')).body as unknown as string;
    expect(sample(after, 'outreach_emails_total', labels)).toBe(sentBefore + 1);
    expect(sample(after, 'outreach_render_seconds_count', { template: 'onboarding-welcome', locale: 'en' })).toBe(renderBefore + 1);
    expect(sample(after, 'outreach_send_seconds_count', { category: 'transactional' })).toBeGreaterThanOrEqual(6);
    expect(after).toMatch(/^# TYPE outreach_send_seconds histogram$/m);
    expect(sample(after, 'outreach_ledger_emails', { status: 'failed', template: 'onboarding-tips-2', locale: 'ja', category: 'marketing' })).toBe(1);
    expect(sample(after, 'outreach_active_enrollments', { sequence: 'ops-long', step: 'long-wait', state: 'paused' })).toBe(1);
    expect(sample(after, 'outreach_runs', { sequence: 'ops-broken', state: 'failed' })).toBe(1);
    expect(sample(after, 'outreach_enrollments', { sequence: 'ops-broken', status: 'failed' })).toBe(1);
    expect(sample(after, 'outreach_survey_score_answers', { kind: 'nps', score: '10' })).toBe(1);
    expect(sample(after, 'outreach_surveys_sent', { kind: 'csat', locale: 'en', country: 'GB' })).toBe(3);
    expect(sample(after, 'outreach_survey_answers', { kind: 'csat', locale: 'en', country: 'GB' })).toBe(2);
    expect(after).not.toMatch(/example\.com/);
  });

  it('serves the worker registry on its own port (WORKER_METRICS_PORT)', async () => {
    const srv = await startMetricsServer(0);
    try {
      const res = await fetch(`http://127.0.0.1:${srv.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toMatch(/^outreach_emails_total\{outcome="sent"/m);
    } finally {
      await srv.close();
    }
  });

  describe('dashboard login', () => {
    const cookieOf = (res: Response) => /outreach_ops=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];

    it('serves the page publicly with a strict content security policy', async () => {
      const page = await fetch(`${stack.baseUrl}/dashboard`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await page.text()).toContain('/dashboard/assets/app.js');
      expect((await fetch(`${stack.baseUrl}/dashboard/assets/app.js`)).status).toBe(200);
      expect((await fetch(`${stack.baseUrl}/dashboard/assets/..%2fruns.ts`)).status).toBe(404);
    });

    it('trades ?key= for an HttpOnly cookie once, then the JSON endpoints accept the cookie (GET only)', async () => {
      const res = await fetch(`${stack.baseUrl}/dashboard?key=${stack.keys.ops}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/dashboard');
      expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Max-Age=43200/);
      const cookie = cookieOf(res)!;
      expect(cookie).not.toContain(stack.keys.ops);
      const withCookie = { cookie: `outreach_ops=${cookie}` };
      expect((await http(stack.baseUrl, 'GET', '/v1/ops/overview', undefined, withCookie)).status).toBe(200);
      expect((await http(stack.baseUrl, 'GET', '/metrics', undefined, withCookie)).status).toBe(200);
      // A cookie never authorizes a write, nor any non-ops route.
      expect((await http(stack.baseUrl, 'POST', `/v1/ops/runs/${runs.waiting[0]}/pause`, {}, withCookie)).status).toBe(401);
      expect((await http(stack.baseUrl, 'GET', '/v1/customers/ops-berlin/enrollments', undefined, withCookie)).status).toBe(401);
      const forged = `${cookie.slice(0, -4)}AAAA`;
      expect((await http(stack.baseUrl, 'GET', '/v1/ops/overview', undefined, { cookie: `outreach_ops=${forged}` })).status).toBe(401);
    });

    it('logs in with the form and refuses keys without the ops scope', async () => {
      const ok = await fetch(`${stack.baseUrl}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: stack.keys.ops }) });
      expect(ok.status).toBe(204);
      expect(cookieOf(ok)).toBeTruthy();
      const form = await fetch(`${stack.baseUrl}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `key=${stack.keys.ops}` });
      expect(form.status).toBe(303);
      expect(cookieOf(form)).toBeTruthy();
      const ingest = await fetch(`${stack.baseUrl}/dashboard/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: stack.keys.ingest }) });
      expect(ingest.status).toBe(401);
      expect(ingest.headers.get('set-cookie')).toBeNull();
      const bad = await fetch(`${stack.baseUrl}/dashboard?key=oak_nope`, { redirect: 'manual' });
      expect(bad.headers.get('location')).toBe('/dashboard#login-failed');
      expect(bad.headers.get('set-cookie')).toBeNull();
      const out = await fetch(`${stack.baseUrl}/dashboard/logout`, { method: 'POST' });
      expect(out.headers.get('set-cookie')).toMatch(/outreach_ops=; .*Max-Age=0/);
    });
  });

  it('documents the ops endpoints in the OpenAPI document', async () => {
    const doc = (await http(stack.baseUrl, 'GET', '/openapi.json')).body;
    for (const p of ['/v1/ops/overview', '/v1/ops/runs', '/v1/ops/runs/{workflowId}', '/v1/ops/due', '/v1/ops/failures', '/v1/ops/sends', '/v1/ops/surveys', '/metrics']) {
      expect(doc.paths[p]?.get?.tags).toEqual(['ops']);
      expect(doc.paths[p].get.security).toEqual([{ bearer: [] }]);
    }
    expect(doc.paths['/v1/ops/runs'].get.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['sequence', 'state', 'nextBefore', 'pageSize', 'pageToken']));
  });
});

describe('ops aggregates on PostgreSQL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ provider: 'postgresql', sequences: opsSequences });
    await seedSurveys(stack);
  });
  afterAll(async () => stack?.stop());

  it('groups sends by country and surveys by locale with the same SQL', async () => {
    await stack.call('PUT', '/v1/customers/pg-1', { email: 'pg@example.com', locale: 'de', country: 'AT' });
    const post = await stack.call('POST', '/v1/events', { id: 'evt-pg-1', customerId: 'pg-1', name: 'ops_once', occurredAt: new Date().toISOString() });
    await stack.temporal.workflow.getHandle(post.body.started[0]).result();
    const sends = await stack.call('GET', '/v1/ops/sends');
    expect(sends.body.byCountry).toEqual([{ country: 'AT', sent: 1, failed: 0, suppressed: 0, ambiguous: 0 }]);
    const surveys = await stack.call('GET', '/v1/ops/surveys');
    expect(surveys.body.kinds.find((k: { kind: string }) => k.kind === 'nps')).toMatchObject({ score: 25, sent: 6 });
    const o = await stack.call('GET', '/v1/ops/overview');
    expect(o.body.sequences.find((s: { sequenceId: string }) => s.sequenceId === 'ops-once')).toMatchObject({ completed: 1 });
    const metrics = await http(stack.baseUrl, 'GET', '/metrics', undefined, { authorization: `Bearer ${stack.keys.ops}` });
    expect(sample(metrics.body as unknown as string, 'outreach_ledger_emails', { status: 'sent', template: 'onboarding-welcome', locale: 'de', category: 'transactional' })).toBe(1);
  });
});
