// Auth scopes and every kind of bad input: each gets a clear status and field-level message, and
// nothing is written.
import { startStack, http, type Stack } from '../support/stack';

const now = () => new Date().toISOString();

describe('API auth and bad input', () => {
  let stack: Stack;
  const counts = async () => ({ customers: await stack.db.customer.count(), events: await stack.db.event.count() });
  beforeAll(async () => {
    stack = await startStack({ api: { bodyLimit: 64 * 1024 } });
    await stack.call('PUT', '/v1/customers/known', { email: 'known@example.com' });
  });
  afterAll(async () => stack?.stop());

  describe('auth', () => {
    it('answers 401 without a key and with an unknown key', async () => {
      const none = await http(stack.baseUrl, 'PUT', '/v1/customers/x', { email: 'x@example.com' });
      expect(none.status).toBe(401);
      expect(none.body.error).toMatch(/Authorization: Bearer/);
      const wrong = await http(stack.baseUrl, 'POST', '/v1/events', {}, { authorization: 'Bearer oak_not-a-key' });
      expect(wrong.status).toBe(401);
      expect(await stack.db.customer.findUnique({ where: { id: 'x' } })).toBeNull();
    });

    it('answers 403 when the key lacks the route\'s scope', async () => {
      const opsOnIngest = await http(stack.baseUrl, 'PUT', '/v1/customers/y', { email: 'y@example.com' }, { authorization: `Bearer ${stack.keys.ops}` });
      expect(opsOnIngest.status).toBe(403);
      expect(opsOnIngest.body.error).toMatch(/"ingest" scope/);
      const ingestOnOps = await http(stack.baseUrl, 'GET', '/v1/customers/known/enrollments', undefined, { authorization: `Bearer ${stack.keys.ingest}` });
      expect(ingestOnOps.status).toBe(403);
      const ingestOnErase = await http(stack.baseUrl, 'DELETE', '/v1/customers/known', undefined, { authorization: `Bearer ${stack.keys.ingest}` });
      expect(ingestOnErase.status).toBe(403);
      expect(await stack.db.customer.findUnique({ where: { id: 'known' } })).not.toBeNull();
    });

    it('accepts the right scope and stores only hashes of keys', async () => {
      const ok = await http(stack.baseUrl, 'PUT', '/v1/customers/z', { email: 'z@example.com' }, { authorization: `Bearer ${stack.keys.ingest}` });
      expect(ok.status).toBe(200);
      const rows = await stack.db.apiKey.findMany();
      expect(rows.some((r) => r.keyHash === stack.keys.ingest)).toBe(false);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.keyHash))).toBe(true);
    });

    it('keeps health and the OpenAPI document public', async () => {
      expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
      expect((await http(stack.baseUrl, 'GET', '/openapi.json')).status).toBe(200);
    });
  });

  const badCustomers: Array<[string, unknown, string, RegExp]> = [
    ['invalid email', { email: 'not-an-email' }, 'email', /valid email/],
    ['missing email', { givenName: 'A' }, 'email', /required/],
    ['unknown field', { email: 'a@example.com', nickname: 'x' }, 'nickname', /unknown field/],
    ['wrong type', { email: 'a@example.com', givenName: 42 }, 'givenName', /string/],
    ['unknown time zone', { email: 'a@example.com', timeZone: 'Mars/Olympus' }, 'timeZone', /unknown IANA time zone "Mars\/Olympus"/],
    ['offset instead of zone', { email: 'a@example.com', timeZone: '+05:30' }, 'timeZone', /IANA/],
    ['invalid locale', { email: 'a@example.com', locale: 'not a locale!' }, 'locale', /BCP 47/],
    ['unknown country', { email: 'a@example.com', country: 'XX' }, 'country', /ISO 3166-1/],
    ['lower-case country', { email: 'a@example.com', country: 'de' }, 'country', /capitals/],
    ['unknown region', { email: 'a@example.com', country: 'DE', region: 'ZZ' }, 'region', /unknown region "ZZ" for DE: use one of/],
    ['region without country', { email: 'a@example.com', region: 'BY' }, 'region', /needs country/],
    ['bad formality', { email: 'a@example.com', formality: 'casual' }, 'formality', /one of/],
    ['CRLF in a name', { email: 'a@example.com', givenName: 'Eve\r\nBcc: all@example.com' }, 'givenName', /line breaks/],
    ['consent not boolean', { email: 'a@example.com', consent: { marketing: 'yes' } }, 'consent.marketing', /boolean/],
  ];
  it.each(badCustomers)('rejects a customer with %s (400, field named, nothing written)', async (_name, body, field, message) => {
    const before = await counts();
    const r = await stack.call('PUT', '/v1/customers/bad-1', body);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    expect(await counts()).toEqual(before);
  });

  const badEvents: Array<[string, unknown, string, RegExp]> = [
    ['missing id', { customerId: 'known', name: 'signup', occurredAt: now() }, 'id', /required/],
    ['unknown field', { id: 'e1', customerId: 'known', name: 'signup', occurredAt: now(), extra: 1 }, 'extra', /unknown field/],
    ['bad name', { id: 'e1', customerId: 'known', name: 'Sign Up!', occurredAt: now() }, 'name', /pattern/],
    ['bad date', { id: 'e1', customerId: 'known', name: 'signup', occurredAt: 'yesterday' }, 'occurredAt', /ISO-8601/],
    ['date far in the past', { id: 'e1', customerId: 'known', name: 'signup', occurredAt: '1970-01-01T00:00:00Z' }, 'occurredAt', /before 2000/],
    ['date far in the future', { id: 'e1', customerId: 'known', name: 'signup', occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt', /future/],
    ['properties not an object', { id: 'e1', customerId: 'known', name: 'signup', occurredAt: now(), properties: [1, 2] }, 'properties', /object/],
    ['unknown customer', { id: 'e1', customerId: 'ghost', name: 'signup', occurredAt: now() }, 'customerId', /no customer "ghost"/],
    ['empty batch', { events: [] }, 'events', /non-empty/],
  ];
  it.each(badEvents)('rejects an event with %s (400, field named, nothing written)', async (_name, body, field, message) => {
    const before = await counts();
    const r = await stack.call('POST', '/v1/events', body);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    expect(await counts()).toEqual(before);
  });

  it('rejects malformed JSON with a message naming the body', async () => {
    const r = await http(stack.baseUrl, 'POST', '/v1/events', '{"id": "e1", ', { authorization: `Bearer ${stack.keys.all}`, 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'body', message: expect.stringMatching(/not valid JSON/) });
  });

  it('rejects a body over the size limit with 413', async () => {
    const before = await counts();
    const r = await stack.call('POST', '/v1/events', { id: 'big', customerId: 'known', name: 'signup', occurredAt: now(), properties: { blob: 'x'.repeat(100 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than/);
    expect(await counts()).toEqual(before);
  });

  it('rejects deeply nested JSON without falling over', async () => {
    const levels = 10_000; // about 60 KB: under the body limit, so the parser and validator meet it
    const deep = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const body = `{"id":"deep","customerId":"known","name":"signup","occurredAt":"${now()}","properties":${deep}}`;
    const r = await http(stack.baseUrl, 'POST', '/v1/events', body, { authorization: `Bearer ${stack.keys.all}`, 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'properties', message: expect.stringMatching(/deeper than 8 levels/) });
    expect(await stack.db.event.count({ where: { idempotencyKey: 'deep' } })).toBe(0);
    expect((await http(stack.baseUrl, 'GET', '/health')).status).toBe(200);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const r = await http(stack.baseUrl, 'POST', '/v1/events', 'id=1', { authorization: `Bearer ${stack.keys.all}`, 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
  });
});
