// Signed, expiring tokens for links in emails (unsubscribe, survey scores, "I need help"). A token
// is base64url(JSON payload) + "." + base64url(HMAC-SHA256); the payload holds no personal data
// beyond the customer's id, which the link needs anyway. Verification is constant-time, and only the
// exact encoding the signer wrote is accepted: base64url without padding, every character from its
// alphabet, no unused bits set in the last character (Node's decoder would quietly accept all of
// these, so one signature would have many spellings).
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

/** Longest token accepted (a survey token is about 200 characters). */
const MAX_TOKEN_LENGTH = 2048;
const MAC_BYTES = 32;

/**
 * The bytes of a base64url string written exactly as `Buffer#toString('base64url')` writes them, or
 * undefined for anything else: padding, characters outside [A-Za-z0-9_-] (whitespace, "+", "/",
 * "*"...), a length no encoding has, or unused bits set in the last character.
 */
export function decodeCanonical(part: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part) || part.length % 4 === 1) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

export function signLink(secret: string, payload: LinkPayload): string {
  const body = b64(Buffer.from(JSON.stringify(payload)));
  const mac = b64(createHmac('sha256', secret).update(body).digest());
  return `${body}.${mac}`;
}

export function verifyLink(secret: string, token: string, purpose: LinkPayload['p'], nowMs = Date.now()): VerifyResult {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const body = decodeCanonical(parts[0]);
  const given = decodeCanonical(parts[1]);
  if (!body || !given || given.length !== MAC_BYTES) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(parts[0]).digest();
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  let payload: LinkPayload;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || typeof payload.c !== 'string') return { ok: false, reason: 'malformed' };
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
