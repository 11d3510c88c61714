// Runs the API part of the bad-input corpus against one real stack (database, Temporal, HTTP API).
// Every case: the expected status, a message naming the field, no 5xx and no stack trace, nothing
// written (row counts of every table unchanged, except a batch's good items); afterwards the engine
// still answers and no prototype was polluted.
import { startStack, http, type Stack } from '../support/stack';
import { apiCases } from './index';
import type { ApiCase } from './types';

const tables = ['customer', 'event', 'enrollment', 'sendLedger', 'surveyResponse', 'surveyGate', 'suppression', 'auditLog', 'apiKey'] as const;

// The same corpus on both databases: PostgreSQL refuses some bytes SQLite stores (NUL in text).
describe.each(['sqlite', 'postgresql'] as const)('bad-input corpus: HTTP API on %s', (provider) => {
  let stack: Stack;
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = await (stack.db[t] as unknown as { count(): Promise<number> }).count();
    return out;
  };

  beforeAll(async () => {
    stack = await startStack({ provider, worker: false });
    const r = await stack.call('PUT', '/v1/customers/known', { email: 'known@example.com' });
    expect(r.status).toBe(200);
  });
  afterAll(async () => stack?.stop());

  async function send(c: ApiCase): Promise<{ status: number; text: string; body: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const { input } = c;
    const headers: Record<string, string> = input.noAuth ? {} : { authorization: `Bearer ${stack.keys.all}` };
    let body: string | Buffer | undefined;
    if (input.raw !== undefined) {
      body = typeof input.raw === 'function' ? input.raw() : input.raw;
      headers['content-type'] = 'application/json';
    } else if (input.json !== undefined) {
      body = JSON.stringify(typeof input.json === 'function' ? (input.json as () => unknown)() : input.json);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, input.headers);
    const res = await fetch(stack.baseUrl + input.url, { method: input.method, headers, body });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: left empty, the text is still checked below
    }
    return { status: res.status, text, body: parsed };
  }

  it.each(apiCases.filter((c) => !c.only || c.only === provider).map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const before = await counts();
    const r = await send(c);
    expect(r.status).toBe(c.expect.status);
    expect(r.text).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
    expect(r.text).not.toMatch(/"stack"/);
    // A hostile value is named, never echoed in full: no long path segment comes back.
    const longSegment = c.input.url.split(/[/?]/).find((s) => s.length > 300);
    if (longSegment) expect(r.text).not.toContain(longSegment.slice(0, 300));
    if (c.expect.field) {
      expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: c.expect.field, message: expect.stringMatching(c.expect.message ?? /./) })]));
    } else if (c.expect.message) {
      expect(`${r.body.error ?? ''} ${r.body.message ?? ''}`).toMatch(c.expect.message);
    }
    for (const item of c.expect.items ?? []) {
      const got = (r.body.results as Array<Record<string, any>>).find((x) => x.index === item.index); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(got).toMatchObject({ status: item.status });
      if (item.field) {
        expect(got!.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: item.field, message: expect.stringMatching(item.message ?? /./) })]));
      }
    }
    if (c.expect.items) expect(r.body.results).toHaveLength(c.expect.items.length);
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200); // still serving
    const after = await counts();
    const writes = c.expect.writes ?? {};
    expect(after).toEqual({ ...before, customer: before.customer! + (writes.customers ?? 0), event: before.event! + (writes.events ?? 0) });
  });

  it('keeps running after the whole corpus: health, a valid write, no polluted prototype', async () => {
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
    const ok = await stack.call('PUT', '/v1/customers/after-corpus', { email: 'after@example.com', givenName: "O'Brien-Åström", attributes: { plan: 'pro' } });
    expect(ok.status).toBe(200);
    const ev = await stack.call('POST', '/v1/events', { id: 'after-corpus-1', customerId: 'after-corpus', name: 'signup', occurredAt: new Date().toISOString() });
    expect(ev.status).toBe(202);
    const probe = {} as Record<string, unknown>;
    expect(probe.isAdmin).toBeUndefined();
    expect(probe.polluted).toBeUndefined();
    // None of the hostile customers was stored.
    const ids = (await stack.db.customer.findMany({ select: { id: true } })).map((x) => x.id).sort();
    expect(ids).toEqual(['after-corpus', 'known']);
  });
});
