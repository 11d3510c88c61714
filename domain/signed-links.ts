// Signed, expiring tokens for links in emails (unsubscribe, survey scores, "I need help"). A token
// is base64url(JSON payload) + "." + base64url(HMAC-SHA256); the payload holds no personal data
// beyond the customer's id, which the link needs anyway. Verification is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkPayload {
  /** Purpose, so a survey token cannot be replayed as an unsubscribe token. */
  p: 'unsubscribe' | 'survey' | 'help';
  /** Customer id. */
  c: string;
  /** Expiry, epoch seconds. */
  e: number;
  [k: string]: unknown;
}

export type VerifyResult = { ok: true; payload: LinkPayload } | { ok: false; reason: 'malformed' | 'tampered' | 'expired' | 'wrong-purpose' };

const b64 = (buf: Buffer) => buf.toString('base64url');

export function signLink(secret: string, payload: LinkPayload): string {
  const body = b64(Buffer.from(JSON.stringify(payload)));
  const mac = b64(createHmac('sha256', secret).update(body).digest());
  return `${body}.${mac}`;
}

export function verifyLink(secret: string, token: string, purpose: LinkPayload['p'], nowMs = Date.now()): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(parts[0]).digest();
  let given: Buffer;
  try {
    given = Buffer.from(parts[1], 'base64url');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  let payload: LinkPayload;
  try {
    payload = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.p !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (typeof payload.e !== 'number' || payload.e * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

/**
 * A keyed, non-reversible stand-in for a customer id or entry key inside workflow ids, so no
 * personal data (ids are often emails in other systems) reaches Temporal's visibility store.
 */
export function opaqueId(secret: string, value: string, length = 20): string {
  return createHmac('sha256', secret).update(`id:${value}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, length);
}
