// Accept fast, dispatch durably (issue 15): by default POST /v1/events answers as soon as the event
// is stored (202, status "queued", a Location to follow), and GET /v1/events/:id shows the dispatch
// and the enrollments it started. `Prefer: wait=N` (RFC 7240) asks for the synchronous answer.
// Against the real stack: Temporal dev server (behind a TCP proxy that can be cut), SQLite, SMTP sink.
import { http, startStack, type Stack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../surveys/support';
import { loadConfig } from '../../domain/config';
import type { SequenceDefinition } from '../../domain/sequence/types';

const welcome: SequenceDefinition = {
  id: 'welcome', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'hello', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

describe('POST /v1/events answers once the event is durable; GET /v1/events/:id follows it', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(process.env.TEMPORAL_TEST_ADDRESS!);
    // DISPATCH_WAIT_MS=0 is the default (the test stack otherwise turns the synchronous mode on).
    stack = await startStack({ sequences: [welcome], env: { DISPATCH_WAIT_MS: '0' }, apiTemporalAddress: proxy.address });
    for (const id of ['ada', 'bob', 'cy', 'dee', 'eve']) expect((await stack.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com` })).status).toBe(200);
  });
  afterAll(async () => {
    for (const e of (await stack?.db.enrollment.findMany()) ?? []) await stack.temporal.workflow.getHandle(e.workflowId).terminate('test over').catch(() => undefined);
    await stack?.stop();
    await proxy?.close();
  });

  /** POST /v1/events with the ingest key; the raw response, for its headers. */
  const postEvent = (body: unknown, headers: Record<string, string> = {}) => fetch(`${stack.baseUrl}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.keys.ingest}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  it('is the default: no wait unless DISPATCH_WAIT_MS or the request asks for one', () => {
    expect(loadConfig({}).dispatch.waitMs).toBe(0);
  });

  it('answers 202 "queued" with a Location, and the status shows the dispatch and the enrollment it started', async () => {
    const res = await postEvent({ id: 'ada signup/1', customerId: 'ada', name: 'signup', occurredAt: new Date().toISOString() });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe('/v1/events/ada%20signup%2F1');
    expect(res.headers.get('preference-applied')).toBeNull();
    expect(await res.json()).toEqual({ id: 'ada signup/1', duplicate: false, status: 'queued', started: [], dispatched: false });

    // The sender's key (ingest) can follow its event; so can ops.
    const status = await eventually(async () => {
      const r = await http(stack.baseUrl, 'GET', '/v1/events/ada%20signup%2F1', undefined, { authorization: `Bearer ${stack.keys.ingest}` });
      expect(r.status).toBe(200);
      return r.body.status === 'dispatched' && r.body.started.length ? r.body : undefined;
    }, 'the event dispatched');
    const enrollment = await stack.db.enrollment.findFirstOrThrow({ where: { customerId: 'ada' } });
    expect(status).toMatchObject({
      id: 'ada signup/1', customerId: 'ada', name: 'signup', status: 'dispatched', attempts: 0, error: null, ordinal: 1,
      started: [{ workflowId: enrollment.workflowId, sequenceId: 'welcome' }],
    });
    expect(Date.parse(status.dispatchedAt)).toBeGreaterThanOrEqual(Date.parse(status.receivedAt));
    expect((await http(stack.baseUrl, 'GET', '/v1/events/ada%20signup%2F1', undefined, { authorization: `Bearer ${stack.keys.ops}` })).status).toBe(200);
    await eventually(async () => stack.sink.messages.find((m) => m.envelope.to[0] === 'ada@example.com'), 'the welcome email');

    // A redelivery is still acknowledged as a duplicate and changes nothing.
    const again = await stack.call('POST', '/v1/events', { id: 'ada signup/1', customerId: 'ada', name: 'signup', occurredAt: new Date().toISOString() });
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
  });

  it('waits for the dispatch when asked (Prefer: wait) and names what it started', async () => {
    const res = await postEvent({ id: 'bob-signup', customerId: 'bob', name: 'signup', occurredAt: new Date().toISOString() }, { prefer: 'return=minimal, wait=20' });
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    const body = await res.json();
    const enrollment = await stack.db.enrollment.findFirstOrThrow({ where: { customerId: 'bob' } });
    expect(body).toEqual({ id: 'bob-signup', duplicate: false, status: 'dispatched', started: [enrollment.workflowId], dispatched: true });

    // A batch answers per item, queued by default.
    const batch = await stack.call('POST', '/v1/events', { events: [
      { id: 'cy-signup', customerId: 'cy', name: 'signup', occurredAt: new Date().toISOString() },
      { id: 'cy-view', customerId: 'cy', name: 'page_view', occurredAt: new Date().toISOString() },
    ] });
    expect(batch.status).toBe(202);
    expect(batch.body.results).toEqual([
      { index: 0, id: 'cy-signup', status: 'accepted', dispatch: 'queued', started: [], dispatched: false },
      { index: 1, id: 'cy-view', status: 'accepted', dispatch: 'queued', started: [], dispatched: false },
    ]);
    const view = await eventually(async () => {
      const r = await stack.call('GET', '/v1/events/cy-view');
      return r.body.status === 'dispatched' ? r.body : undefined;
    }, 'the page view dispatched');
    expect(view.started).toEqual([]); // it triggers nothing
  });

  it('shows a queued event with its failed attempts while Temporal is unreachable, then dispatched', async () => {
    proxy.cut();
    try {
      const r = await stack.call('POST', '/v1/events', { id: 'dee-signup', customerId: 'dee', name: 'signup', occurredAt: new Date().toISOString() });
      expect(r.status).toBe(202);
      const queued = await eventually(async () => {
        const s = await stack.call('GET', '/v1/events/dee-signup');
        return s.body.attempts >= 1 ? s.body : undefined;
      }, 'a failed dispatch attempt', 60_000);
      expect(queued).toMatchObject({ status: 'queued', started: [], dispatchedAt: null });
      expect(queued.lastError).toEqual(expect.any(String));
      expect(Date.parse(queued.nextAttemptAt)).toBeGreaterThan(Date.parse(queued.receivedAt));
    } finally {
      proxy.restore();
    }
    const done = await eventually(async () => {
      const s = await stack.call('GET', '/v1/events/dee-signup');
      return s.body.status === 'dispatched' && s.body.started.length === 1 ? s.body : undefined;
    }, 'the dispatch after Temporal came back', 90_000);
    expect(done.nextAttemptAt).toBeNull();
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const bad = await postEvent({ id: 'eve-signup', customerId: 'eve', name: 'signup', occurredAt: new Date().toISOString() }, { prefer: 'wait=soon' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { errors: unknown };
    expect(body.errors).toEqual([{ field: 'header Prefer', message: expect.stringMatching(/^wait=soon is not a number of seconds: send e\.g\. "Prefer: wait=5"/) }]);
    expect(await stack.db.event.count({ where: { idempotencyKey: 'eve-signup' } })).toBe(0);

    const unknown = await stack.call('GET', '/v1/events/never-sent');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('no event "never-sent": send it with POST /v1/events');
    expect((await http(stack.baseUrl, 'GET', '/v1/events/ada%20signup%2F1')).status).toBe(401);
    const tooLong = await stack.call('GET', `/v1/events/${'x'.repeat(201)}`);
    expect(tooLong.status).toBe(400);
  });
});
