// The other side of the bad-input corpus (test/corpus): unusual but legitimate input the API must
// keep accepting and store exactly, so that refusing the hostile cases refuses nothing more.
import { startStack, http, type Stack } from '../support/stack';

describe.each(['sqlite', 'postgresql'] as const)('accepted input on %s', (provider) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ provider, worker: false });
  });
  afterAll(async () => stack?.stop());

  const raw = (method: string, url: string, body: string) =>
    http(stack.baseUrl, method, url, body, { authorization: `Bearer ${stack.keys.all}`, 'content-type': 'application/json' });

  it('stores names with surrogate pairs (escaped or not), right-to-left text and bidi marks exactly', async () => {
    // \ud83d\ude00 is one character (U+1F600) written as an escaped pair, as many JSON encoders do.
    const r = await raw('PUT', '/v1/customers/text-ok', '{"email":"text@example.com","givenName":"Ana \\ud83d\\ude00","familyName":"\u05db\u05d4\u05df\u200f","title":"\u062f."}');
    expect(r.status).toBe(200);
    const row = await stack.db.customer.findUniqueOrThrow({ where: { id: 'text-ok' } });
    expect(row.givenName).toBe('Ana \u{1F600}');
    expect(row.familyName).toBe('\u05db\u05d4\u05df\u200f'); // Hebrew with a right-to-left mark: a mark, not an override
    expect(row.title).toBe('\u062f.');
  });

  it.each([
    ['an IDN domain', 'user@bücher.example'],
    ['an IDN domain in capitals', 'User@BÜCHER.example'],
    ['a non-ASCII local part and domain', 'josé@bücher.example'],
    ['an all-Chinese address', '用户@例子.广告'],
    ['a Greek address', 'δοκιμή@παράδειγμα.δοκιμή'],
    ['a punycode domain', 'user@xn--bcher-kva.example'],
    ['a quoted local part with a space', '"john doe"@example.com'],
    ['a quoted local part with @ and an escaped quote', '"a@b\\"c"@example.com'],
    ['every atext character', "!#$%&'*+-/=?^_`{|}~@example.com"],
  ])('accepts and stores %s as written', async (_what, email) => {
    const id = `mail-${Buffer.from(email).toString('hex').slice(0, 40)}`;
    const r = await stack.call('PUT', `/v1/customers/${id}`, { email });
    expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { id, created: true } });
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id } })).email).toBe(email);
  });

  it('stores numbers as 64-bit doubles: the largest finite one exactly, long digit strings and tiny values rounded as documented', async () => {
    const body = '{"email":"num@example.com","attributes":{"max":1.7976931348623157e308,"min":-1.7976931348623157e308,'
      + '"long":12345678901234567890123,"precise":0.1234567890123456789,"tiny":1e-400,"negZero":-0,"int53":9007199254740993}}';
    const r = await raw('PUT', '/v1/customers/num-ok', body);
    expect(r.status).toBe(200);
    const row = await stack.db.customer.findUniqueOrThrow({ where: { id: 'num-ok' } });
    expect(JSON.parse(row.attributes)).toEqual({
      max: Number.MAX_VALUE,
      min: -Number.MAX_VALUE,
      long: 1.2345678901234568e22, // 23 digits: the nearest double
      precise: 0.12345678901234568, // 17 significant digits survive
      tiny: 0, // underflows to zero
      negZero: 0, // -0 is stored as 0
      int53: 9007199254740992, // beyond 2^53 integers round to the nearest even double
    });
  });

  it('stores a customer id with non-ASCII characters and an emoji from the URL exactly', async () => {
    const id = 'kunde-\u00fc-\u{1F600}';
    const r = await stack.call('PUT', `/v1/customers/${encodeURIComponent(id)}`, { email: 'kunde@example.com' });
    expect(r.status).toBe(200);
    expect(await stack.db.customer.findUnique({ where: { id } })).not.toBeNull();
  });
});
