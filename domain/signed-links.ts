// Signed, expiring tokens for links in emails (unsubscribe, survey scores, "I need help").
//
//   keyId "." base64url(JSON payload) "." base64url(HMAC-SHA256(key, keyId "." payload))
//
// The payload holds no personal data beyond the customer's id, which the link needs anyway.
//
// Keys come as a ring (OUTREACH_SECRET=new,old; docs/security.md): the first key signs, and a token
// is verified against the one key whose id it carries. The key id is 8 characters of an HMAC under
// the key, so it says nothing about the key; it lets a rotated ring keep accepting the links already
// in inboxes. Tokens written before key ids existed (two parts: payload "." HMAC(key, payload)) are
// still accepted, checked against every key of the ring (unsubscribe links live 365 days).
//
// Only the exact encoding the signer wrote is accepted: base64url without padding, every character
// from its alphabet, no unused bits set in the last character, the exact number of parts (Node's
// decoder would quietly accept all of these, so one signature would have many spellings). MACs are
// compared in constant time.
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

export type VerifyResult =
  | { ok: true; payload: LinkPayload }
  /** Genuine (the signature verified) but past its expiry: the payload can be trusted, e.g. for the page's language. */
  | { ok: false; reason: 'expired'; payload: LinkPayload }
  | { ok: false; reason: 'malformed' | 'tampered' | 'unknown-key' | 'wrong-purpose' };

/** One key, or a ring of keys: the first signs, every one verifies. */
export type LinkKeys = string | readonly string[];

const b64 = (buf: Buffer) => buf.toString('base64url');
const ring = (keys: LinkKeys): readonly string[] => (typeof keys === 'string' ? [keys] : keys);
const mac = (key: string, text: string) => createHmac('sha256', key).update(text).digest();

/** Longest token accepted (a survey token is about 200 characters). */
const MAX_TOKEN_LENGTH = 2048;
const MAC_BYTES = 32;
/** 6 bytes of HMAC: 8 base64url characters. */
const KEY_ID_LENGTH = 8;

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

const keyIds = new Map<string, string>();

/**
 * The id a key gives its tokens: 8 base64url characters of HMAC-SHA256(key, a fixed label). Without
 * the key it cannot be computed or inverted, so it reveals nothing about the key.
 */
export function linkKeyId(key: string): string {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = b64(mac(key, 'outreach link key id').subarray(0, (KEY_ID_LENGTH / 4) * 3));
    if (keyIds.size > 100) keyIds.clear();
    keyIds.set(key, id);
  }
  return id;
}

/** A token for `payload`, signed with the first key of `keys` and carrying that key's id. */
export function signLink(keys: LinkKeys, payload: LinkPayload): string {
  const key = ring(keys)[0];
  if (!key) throw new Error('signLink needs a key');
  const signed = `${linkKeyId(key)}.${b64(Buffer.from(JSON.stringify(payload)))}`;
  return `${signed}.${b64(mac(key, signed))}`;
}

/** Checks a token against `keys` (any key of the ring), then its purpose and expiry. */
export function verifyLink(keys: LinkKeys, token: string, purpose: LinkPayload['p'], nowMs = Date.now()): VerifyResult {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  let candidates: readonly string[];
  if (parts.length === 3) {
    // keyId.payload.mac: only the key with that id may have signed it.
    const keyId = parts[0];
    if (keyId.length !== KEY_ID_LENGTH || !decodeCanonical(keyId)) return { ok: false, reason: 'malformed' };
    const key = ring(keys).find((k) => linkKeyId(k) === keyId);
    if (key === undefined) return { ok: false, reason: 'unknown-key' };
    candidates = [key];
  } else if (parts.length === 2) {
    // payload.mac, written before key ids existed: any key of the ring may have signed it.
    candidates = ring(keys);
  } else {
    return { ok: false, reason: 'malformed' };
  }
  const body = decodeCanonical(parts[parts.length - 2]);
  const given = decodeCanonical(parts[parts.length - 1]);
  if (!body || !given || given.length !== MAC_BYTES) return { ok: false, reason: 'malformed' };
  const signed = token.slice(0, token.length - parts[parts.length - 1].length - 1);
  let genuine = false;
  // Every candidate is compared (no early exit), each in constant time.
  for (const key of candidates) genuine = timingSafeEqual(given, mac(key, signed)) || genuine;
  if (!genuine) return { ok: false, reason: 'tampered' };
  let payload: LinkPayload;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || typeof payload.c !== 'string') return { ok: false, reason: 'malformed' };
  if (payload.p !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (typeof payload.e !== 'number' || payload.e * 1000 < nowMs) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}

/**
 * A keyed, non-reversible stand-in for a customer id or entry key inside workflow ids, so no
 * personal data (ids are often emails in other systems) reaches Temporal's visibility store.
 */
export function opaqueId(secret: string, value: string, length = 20): string {
  return createHmac('sha256', secret).update(`id:${value}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, length);
}
