// The token format itself (domain/signed-links.ts), without servers: one spelling per signature, the
// key ring (the first key signs, a token names its key by id, two-part tokens from before key ids
// verify against every key), and the checks that come after the signature (purpose, expiry, shape).
import { createHmac } from 'node:crypto';
import { decodeCanonical, linkKeyId, signLink, verifyLink, type LinkPayload } from '../../domain/signed-links';

const KEY = 'unit-test-key-0123456789abcdef';
const future = () => Math.floor(Date.now() / 1000) + 3600;

describe('decodeCanonical', () => {
  it('accepts exactly what Buffer#toString("base64url") writes, for every length', () => {
    for (let n = 1; n <= 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 97 + n * 31) % 256));
      const text = bytes.toString('base64url');
      expect(decodeCanonical(text)?.equals(bytes)).toBe(true);
    }
  });

  it.each([
    ['padding', 'YWJjZA=='],
    ['a single "="', 'YWJjZA='],
    ['an unused bit set in the last character', 'YWJjZB'],
    ['the standard alphabet', 'a+b/'],
    ['a character a lenient decoder skips', 'YWJj*!*ZA'],
    ['a space', 'YWJj ZA'],
    ['a line break', 'YWJjZA\n'],
    ['a length no encoding has', 'YWJjZ'],
    ['nothing', ''],
  ])('refuses %s', (_, text) => {
    expect(decodeCanonical(text)).toBeUndefined();
  });
});

describe('verifyLink', () => {
  const payload: LinkPayload = { p: 'survey', c: 'c-1', e: future(), s: 'survey-1', k: 'csat' };

  it('accepts the token it signed and returns its payload', () => {
    expect(verifyLink(KEY, signLink(KEY, payload), 'survey')).toEqual({ ok: true, payload });
  });

  it('refuses every other spelling of the signature, as malformed', () => {
    const token = signLink(KEY, payload);
    const [body, mac] = token.split('.').slice(-2);
    const head = token.slice(0, token.length - body.length - mac.length - 1);
    const withMac = (m: string) => `${head}${body}.${m}`;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipped = mac.slice(0, -1) + alphabet[alphabet.indexOf(mac[mac.length - 1]) ^ 1];
    expect(Buffer.from(flipped, 'base64url').equals(Buffer.from(mac, 'base64url'))).toBe(true); // the same bytes
    for (const m of [flipped, `${mac}=`, `${mac}==`, `${mac.slice(0, 20)}*!*${mac.slice(20)}`, ` ${mac}`, `${mac}\n`]) {
      expect({ m, r: verifyLink(KEY, withMac(m), 'survey') }).toEqual({ m, r: { ok: false, reason: 'malformed' } });
    }
  });

  it('refuses extra, missing and empty parts, and overlong tokens', () => {
    const token = signLink(KEY, payload);
    for (const t of [`${token}.`, `.${token}`, `${token}.${token.split('.').pop()}`, token.split('.').pop()!, '', 'a'.repeat(5000)]) {
      expect(verifyLink(KEY, t, 'survey').ok).toBe(false);
    }
  });

  it('refuses another key, another purpose, an expired token and a payload without a customer', () => {
    expect(verifyLink('another-key-0123456789abcdef', signLink(KEY, payload), 'survey')).toMatchObject({ ok: false });
    expect(verifyLink(KEY, signLink(KEY, payload), 'help')).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(verifyLink(KEY, signLink(KEY, { ...payload, e: Math.floor(Date.now() / 1000) - 1 }), 'survey')).toMatchObject({ ok: false, reason: 'expired' });
    const noCustomer = signLink(KEY, { p: 'survey', e: future() } as unknown as LinkPayload);
    expect(verifyLink(KEY, noCustomer, 'survey')).toEqual({ ok: false, reason: 'malformed' });
    // A signed JSON value that is not an object.
    const body = Buffer.from('[1]').toString('base64url');
    expect(verifyLink(KEY, `${body}.${createHmac('sha256', KEY).update(body).digest('base64url')}`, 'survey')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('the key ring', () => {
  const OLD = 'old-key-0123456789abcdef-old';
  const NEW = 'new-key-0123456789abcdef-new';
  const payload: LinkPayload = { p: 'unsubscribe', c: 'c-9', e: future(), cat: 'marketing' };
  /** A token as 479987e wrote them (no key id). */
  const legacy = (key: string) => {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };

  it('derives a short key id per key that does not contain the key', () => {
    expect(linkKeyId(NEW)).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(linkKeyId(NEW)).toBe(linkKeyId(NEW));
    expect(linkKeyId(NEW)).not.toBe(linkKeyId(OLD));
    expect(NEW).not.toContain(linkKeyId(NEW));
    // It is an HMAC under the key: nothing about the key can be computed from it.
    expect(linkKeyId(NEW)).toBe(createHmac('sha256', NEW).update('outreach link key id').digest().subarray(0, 6).toString('base64url'));
  });

  it('signs with the first key, naming it, and verifies with any key of the ring', () => {
    const token = signLink([NEW, OLD], payload);
    expect(token.split('.')[0]).toBe(linkKeyId(NEW));
    expect(signLink(NEW, payload)).toBe(token);
    expect(verifyLink([NEW, OLD], token, 'unsubscribe')).toEqual({ ok: true, payload });
    expect(verifyLink([OLD, NEW], token, 'unsubscribe')).toEqual({ ok: true, payload });
    expect(verifyLink([NEW], token, 'unsubscribe')).toEqual({ ok: true, payload });
    expect(verifyLink([OLD], token, 'unsubscribe')).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('checks a token only against the key its id names', () => {
    // The old key's MAC under the new key's id: both keys are in the ring, and still it is refused.
    const signed = `${linkKeyId(NEW)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const forged = `${signed}.${createHmac('sha256', OLD).update(signed).digest('base64url')}`;
    expect(verifyLink([NEW, OLD], forged, 'unsubscribe')).toEqual({ ok: false, reason: 'tampered' });
    // A key id moved onto another key's token.
    const moved = [linkKeyId(OLD), ...signLink(NEW, payload).split('.').slice(1)].join('.');
    expect(verifyLink([NEW, OLD], moved, 'unsubscribe')).toEqual({ ok: false, reason: 'tampered' });
  });

  it('keeps two-part tokens written before key ids verifying against every key of the ring', () => {
    expect(verifyLink([NEW, OLD], legacy(OLD), 'unsubscribe')).toEqual({ ok: true, payload });
    expect(verifyLink([NEW, OLD], legacy(NEW), 'unsubscribe')).toEqual({ ok: true, payload });
    expect(verifyLink([NEW], legacy(OLD), 'unsubscribe')).toEqual({ ok: false, reason: 'tampered' });
    // A legacy MAC cannot be turned into a keyed token (the signed text differs).
    const [body, mac] = legacy(NEW).split('.');
    expect(verifyLink([NEW], `${linkKeyId(NEW)}.${body}.${mac}`, 'unsubscribe')).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a key id that is not exactly 8 canonical characters', () => {
    const [id, body, mac] = signLink(NEW, payload).split('.');
    for (const bad of [`${id}A`, id.slice(0, 7), `${id.slice(0, 7)}*`, `${id}==`]) {
      expect(verifyLink([NEW], `${bad}.${body}.${mac}`, 'unsubscribe')).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
