// Field checks JSON Schema cannot express (time zones, locales, countries, regions, email addresses),
// returning a message that names the bad value and says what to fix, or undefined when it is fine;
// and the character classes the API refuses in text.
import { domainToASCII, domainToUnicode } from 'node:url';
import { isKnownCountry, isKnownRegion, isValidTimeZone, regionsOf } from '../../domain/calendar/validation';

// C0 and C1 controls plus the Unicode line and paragraph separators: the same set the renderer strips.
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069); the marks U+200E/U+200F stay allowed. */
export const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
export const BIDI_MESSAGE = 'must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069): they reorder how the text around them reads';

/** An unpaired UTF-16 surrogate (with the u flag a well-formed pair is one code point and does not match). */
export const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
export const LONE_SURROGATE_MESSAGE = 'contains a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which is not text: send the character itself or both halves of its pair';

export function checkTimeZone(zone: string): string | undefined {
  return isValidTimeZone(zone) ? undefined : `unknown IANA time zone "${zone}": use a name such as Europe/Berlin or America/New_York`;
}

export function checkLocale(locale: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical) return undefined;
  } catch {
    // falls through to the message
  }
  return `invalid locale "${locale}": use a BCP 47 tag such as en, de or pt-BR`;
}

export function checkCountry(code: string): string | undefined {
  return /^[A-Z]{2}$/.test(code) && isKnownCountry(code)
    ? undefined
    : `unknown country "${code}": use an ISO 3166-1 alpha-2 code in capitals, such as DE or US`;
}

export function checkRegion(country: string, region: string): string | undefined {
  if (isKnownRegion(country, region)) return undefined;
  const known = regionsOf(country).filter((r) => !r.includes('-'));
  return known.length
    ? `unknown region "${region}" for ${country}: use one of ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`
    : `${country} has no regions with their own holidays: leave region empty`;
}

// RFC 5321 atext plus, per RFC 6531 (SMTPUTF8), every non-ASCII character except separators.
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\u{10FFFF}]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`, 'u');
/** A domain label in its ASCII (A-label) form: letters, digits, hyphens inside. */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * An email address we can deliver: a dot-atom local part (RFC 5321, with any non-ASCII character as
 * RFC 6531 allows) or a quoted one ("john doe"), then a domain name, internationalized or not. The
 * domain is checked through its ASCII form (Node's WHATWG/UTS 46 IDNA, the same conversion nodemailer
 * uses to send), so what is accepted here is what goes on the wire. Refused although RFC 5321 allows
 * them: address literals (user@[192.0.2.1]), empty quoted local parts, and < or > inside quotes
 * (nodemailer rewrites those, which would send to another mailbox). Lengths in bytes: local part 64,
 * domain 253 (ASCII form), whole address 254.
 */
export function checkEmail(address: string): string | undefined {
  const bad = (why: string) => `must be a valid email address: ${why}`;
  if (CONTROL.test(address)) return bad('it contains a control character or line break');
  if (BIDI_CONTROL.test(address)) return bad('it contains bidirectional control characters (U+202A-U+202E, U+2066-U+2069)');
  if (LONE_SURROGATE.test(address)) return bad('it contains a lone surrogate');
  let local: string;
  if (address.startsWith('"')) {
    // quoted-string: qtextSMTP is printable ASCII but " and \ (and, with SMTPUTF8, non-ASCII);
    // quoted-pairSMTP is \ followed by a printable ASCII character.
    let i = 1;
    for (; i < address.length && address[i] !== '"'; i++) {
      if (address[i] !== '\\') continue;
      i++;
      if (!/^[\x20-\x7e]$/.test(address[i] ?? '')) return bad('a backslash inside the quotes must escape a printable ASCII character');
    }
    if (i >= address.length) return bad('the quoted part before @ has no closing quote');
    local = address.slice(0, i + 1);
    if (address[i + 1] !== '@') return bad('the closing quote must be followed by @');
    const inner = local.slice(1, -1).replace(/\\(.)/g, '$1');
    if (inner.trim() === '') return bad('the part before @ is empty');
    if (/[<>]/.test(inner)) return bad('< or > inside the quoted part before @ cannot be sent (the SMTP client rewrites them)');
  } else {
    const at = address.indexOf('@');
    if (at < 0) return bad('it has no @');
    local = address.slice(0, at);
    if (local === '') return bad('it has nothing before @');
    if (!DOT_ATOM.test(local) || /\p{Z}/u.test(local)) {
      if (/^\.|\.$|\.\./.test(local)) return bad('the part before @ must not start or end with a dot, nor have two in a row, unless it is in quotes');
      return bad('the part before @ has characters (such as spaces, commas or brackets) that are only allowed in quotes, as in "john doe"@example.com');
    }
  }
  const domain = address.slice(local.length + 1);
  const shown = domain.length > 60 ? `${domain.slice(0, 57)}...` : domain;
  if (domain === '') return bad('it has nothing after @');
  if (domain.includes('@')) return bad('it has more than one @: an @ that belongs to the part before it must be in quotes');
  if (domain.startsWith('[')) return bad('address literals such as user@[192.0.2.1] are not accepted: use the domain name');
  if (/[\x00-\x7f]/.test(domain.replace(/[A-Za-z0-9.-]/g, ''))) return bad(`the domain "${shown}" may hold only letters, digits, hyphens and dots`);
  const ascii = domainToASCII(domain);
  if (!ascii) return bad(`the domain "${shown}" is not a valid domain name`);
  const labels = ascii.split('.');
  const unicodeLabels = domainToUnicode(ascii).split('.');
  if (labels.includes('')) return bad(`the domain "${shown}" has an empty label (a dot at either end or two in a row)`);
  if (labels.length < 2) return bad(`the domain "${shown}" needs a dot, as in example.com`);
  if ([...labels, ...unicodeLabels].some((l) => l.startsWith('-') || l.endsWith('-'))) return bad(`the domain "${shown}" has a label that starts or ends with a hyphen`);
  if (labels.some((l) => l.length > 63)) return bad(`the domain "${shown}" has a label longer than 63 characters (in its ASCII form)`);
  if (!labels.every((l) => LDH_LABEL.test(l))) return bad(`the domain "${shown}" is not a valid domain name`);
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return bad(`the domain "${shown}" ends in a number: use a domain name, not an IP address`);
  if (ascii.length > 253) return bad(`the domain is ${ascii.length} characters long in its ASCII form: at most 253`);
  const localBytes = Buffer.byteLength(local, 'utf8');
  if (localBytes > 64) return bad(`the part before @ is ${localBytes} bytes long: at most 64`);
  if (localBytes + 1 + ascii.length > 254) return bad(`it is ${localBytes + 1 + ascii.length} bytes long: at most 254`);
  return undefined;
}
