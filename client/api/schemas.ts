// Request schemas of the HTTP API, shared with the CLI (`outreach customer upsert`, `outreach event
// send`) so both reject exactly the same input with the same field-level messages.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { BIDI_CONTROL, BIDI_MESSAGE, checkCountry, checkEmail, checkLocale, checkRegion, checkTimeZone, CONTROL, LONE_SURROGATE, LONE_SURROGATE_MESSAGE } from './validation';

export interface FieldError {
  field: string;
  message: string;
}

/** Thrown for input that fails validation; rendered as 400 `{ error, errors: [{ field, message }] }`. */
export class FieldErrors extends Error {
  readonly statusCode = 400;
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'FieldErrors';
  }
}

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength });

export const customerSchema = {
  $id: 'Customer',
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: {
    email: { type: 'string', format: 'idn-email', maxLength: 254, description: 'Where emails go. Internationalized (bücher.example, josé@...) and quoted ("john doe"@...) addresses are accepted; a non-ASCII part before @ needs an SMTP server with SMTPUTF8.' },
    givenName: nullableString(200),
    familyName: nullableString(200),
    title: { ...nullableString(100), description: 'Honorific as the customer gave it, e.g. "Dr." or "Frau".' },
    gender: { type: ['string', 'null'], enum: ['female', 'male', 'other', null], description: 'Used only for grammatical address in catalogs.' },
    locale: { type: 'string', minLength: 2, maxLength: 35, description: 'BCP 47 tag, e.g. pt-BR.' },
    timeZone: { ...nullableString(64), description: 'IANA zone, e.g. Europe/Berlin. Without one, the account default calendar applies.' },
    country: { ...nullableString(2), description: 'ISO 3166-1 alpha-2, e.g. DE.' },
    region: { ...nullableString(10), description: 'Subdivision code for regional holidays, e.g. BY.' },
    formality: { type: ['string', 'null'], enum: ['formal', 'informal', null] },
    attributes: { type: 'object', maxProperties: 100, description: 'Custom attributes (plan, segment, owner email, ...).' },
    consent: {
      type: 'object',
      additionalProperties: false,
      properties: { marketing: { type: 'boolean' } },
    },
  },
} as const;

export const eventSchema = {
  $id: 'Event',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'name', 'occurredAt'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200, description: "The sender's idempotency key." },
    customerId: { type: 'string', minLength: 1, maxLength: 200 },
    name: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'e.g. signup, purchase, ticket_closed.' },
    occurredAt: { type: 'string', format: 'date-time' },
    properties: { type: 'object', maxProperties: 200 },
  },
} as const;

export const MAX_BATCH = 500;

export const eventsBodySchema = {
  $id: 'EventsBody',
  oneOf: [
    { $ref: 'Event#' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['events'],
      properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: { type: 'object' } } },
    },
  ],
} as const;

export type { CustomerInput } from '../../domain/customer';
import type { CustomerInput } from '../../domain/customer';

export interface EventInput {
  id: string;
  customerId: string;
  name: string;
  occurredAt: string;
  properties?: Record<string, unknown>;
}

export function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false });
  addFormats(ajv);
  // RFC 6531 addresses, as far as our SMTP path delivers them (validation.ts says which).
  ajv.addFormat('idn-email', { type: 'string', validate: (s: string) => checkEmail(s) === undefined });
  return ajv;
}

const ajv = makeAjv();
ajv.addSchema(customerSchema);
ajv.addSchema(eventSchema);
const validateCustomerSchema = ajv.getSchema('Customer')!;
const validateEventSchema = ajv.getSchema('Event')!;

const EMAIL_MESSAGE = 'must be a valid email address';

/** Turns Ajv errors into `{ field, message }` with dotted paths ("properties.amount", "events.3.name"). */
export function formatAjvErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    const path = [prefix, e.instancePath.replace(/^\//, '').replace(/\//g, '.')].filter(Boolean).join('.');
    const join = (name: string) => [path, name].filter(Boolean).join('.');
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'additionalProperties') out.push({ field: join(String(p.additionalProperty)), message: 'unknown field' });
    else if (e.keyword === 'required') out.push({ field: join(String(p.missingProperty)), message: 'is required' });
    else if (e.keyword === 'format') out.push({ field: path || 'body', message: p.format === 'email' || p.format === 'idn-email' ? EMAIL_MESSAGE : p.format === 'date-time' ? 'must be an ISO-8601 date-time with a zone, e.g. 2026-11-24T09:30:00Z' : `must be a valid ${p.format}` });
    else if (e.keyword === 'enum') out.push({ field: path || 'body', message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` });
    else if (e.keyword === 'oneOf' || e.keyword === '$ref') continue;
    else out.push({ field: path || 'body', message: e.message ?? 'is invalid' });
  }
  // Ajv can report the same problem twice through oneOf branches; keep each once.
  return out.filter((e, i) => out.findIndex((x) => x.field === e.field && x.message === e.message) === i);
}

const YEAR_MS = 365.25 * 86_400_000;
/** Events from before 2000 or more than a day in the future are almost always a sender's bug. */
export function checkOccurredAt(iso: string, now = Date.now()): string | undefined {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'must be an ISO-8601 date-time';
  if (t < Date.UTC(2000, 0, 1)) return 'is before 2000-01-01: send the real time of the event';
  if (t > now + 86_400_000) return 'is more than a day in the future: send the real time of the event';
  if (t < now - 30 * YEAR_MS) return 'is too far in the past';
  return undefined;
}

/** Property bags deeper than this are a sender's bug (or an attack on our parsers), not data. */
export const MAX_DEPTH = 8;

/**
 * Depth of nested objects/arrays (a flat object is 1). Never descends more than `limit + 1` levels,
 * so a hostile 100,000-level document costs no more than a legal one.
 */
export function depthOf(value: unknown, limit = MAX_DEPTH): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const v of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depthOf(v, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

/** Full validation of a customer body: schema, then zone/locale/country/region. Throws FieldErrors. */
export function validateCustomer(body: unknown): CustomerInput {
  checkBodyShape(body);
  if (!validateCustomerSchema(body)) {
    // The email format says only "invalid"; checkEmail says why.
    const email = (body as { email?: unknown }).email;
    const errors = formatAjvErrors(validateCustomerSchema.errors).map((e) =>
      e.field === 'email' && e.message === EMAIL_MESSAGE && typeof email === 'string' ? { field: 'email', message: checkEmail(email) ?? EMAIL_MESSAGE } : e);
    throw new FieldErrors(errors);
  }
  const b = body as CustomerInput;
  const errors: FieldError[] = [];
  const add = (field: string, message: string | undefined) => message && errors.push({ field, message });
  for (const f of PRINTED_PROFILE_FIELDS) {
    const v = b[f];
    // Names end up in subjects and salutations: control characters could forge headers or layout,
    // markup is never part of a name (it would only be there to reach an HTML page unescaped), and
    // a bidi override or isolate reorders how the rest of the line reads ("Eve\u202Egnp.exe").
    if (typeof v === 'string' && CONTROL.test(v)) add(f, 'must not contain control characters or line breaks');
    else if (typeof v === 'string' && /[<>]/.test(v)) add(f, 'must not contain < or >: markup is not part of a name');
    else if (typeof v === 'string' && BIDI_CONTROL.test(v)) add(f, BIDI_MESSAGE);
  }
  if (depthOf(b.attributes) > MAX_DEPTH) add('attributes', `nests deeper than ${MAX_DEPTH} levels: flatten it`);
  else errors.push(...unstorable(b as unknown as Record<string, unknown>, ''));
  if (b.timeZone) add('timeZone', checkTimeZone(b.timeZone));
  if (b.locale) add('locale', checkLocale(b.locale));
  if (b.country) add('country', checkCountry(b.country));
  if (b.region) add('region', b.country ? checkRegion(b.country, b.region) : 'needs country: a region is a subdivision of a country');
  if (errors.length) throw new FieldErrors(errors);
  return b;
}

/** Full validation of one event. `prefix` names its place in a batch ("events.3"). Throws FieldErrors. */
export function validateEvent(body: unknown, prefix = ''): EventInput {
  checkBodyShape(body, prefix);
  if (!validateEventSchema(body)) throw new FieldErrors(formatAjvErrors(validateEventSchema.errors, prefix));
  const e = body as EventInput;
  const field = (f: string) => [prefix, f].filter(Boolean).join('.');
  // Keys end up in database lookups and logs: a NUL cannot even be stored in PostgreSQL text.
  const controls = (['id', 'customerId'] as const).filter((f) => CONTROL.test(e[f]));
  if (controls.length) throw new FieldErrors(controls.map((f) => ({ field: field(f), message: 'must not contain control characters or line breaks' })));
  const msg = checkOccurredAt(e.occurredAt);
  if (msg) throw new FieldErrors([{ field: field('occurredAt'), message: msg }]);
  if (depthOf(e.properties) > MAX_DEPTH) throw new FieldErrors([{ field: field('properties'), message: `nests deeper than ${MAX_DEPTH} levels: flatten it` }]);
  const garbled = unstorable(e as unknown as Record<string, unknown>, prefix);
  if (garbled.length) throw new FieldErrors(garbled);
  return e;
}

/**
 * The profile fields templates print into emails as text (subjects, salutations). They refuse bidi
 * embedding, override and isolate controls on top of control characters and markup.
 */
export const PRINTED_PROFILE_FIELDS = ['givenName', 'familyName', 'title'] as const;

/** Longest customer id (the same bound as an event's customerId). */
export const MAX_CUSTOMER_ID = 200;

/**
 * Checks a customer id given outside a JSON body (the URL of /v1/customers/:id, the CLI's --id):
 * the same rules as an event's customerId. Throws FieldErrors naming `field`.
 */
export function validateCustomerId(id: unknown, field = 'id'): string {
  const fail = (message: string) => {
    throw new FieldErrors([{ field, message }]);
  };
  if (typeof id !== 'string' || id.length === 0) return fail('must be a non-empty string');
  if (id.length > MAX_CUSTOMER_ID) fail(`must NOT have more than ${MAX_CUSTOMER_ID} characters (has ${id.length})`);
  if (CONTROL.test(id)) fail('must not contain control characters or line breaks');
  if (LONE_SURROGATE.test(id)) fail(LONE_SURROGATE_MESSAGE);
  // What a client's URL encoder makes of a lone surrogate or of bytes that were not UTF-8: the id
  // the sender meant is lost, and two different ones would become the same key.
  if (id.includes('\uFFFD')) fail('contains U+FFFD, the replacement character: the id was not valid text before it was encoded (a lone surrogate or bytes that are not UTF-8)');
  return id;
}


/**
 * A body that is not a JSON object at all gets one message saying what to send, instead of a schema
 * error per missing field. `prefix` names a batch item ("events.3").
 */
function checkBodyShape(body: unknown, prefix = ''): void {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return;
  const field = prefix || 'body';
  const got = body === undefined ? 'nothing' : body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body === 'string' ? 'text' : `a ${typeof body}`;
  if (!prefix && (body === undefined || typeof body === 'string')) {
    // No body, or a body Fastify read as text because it was not sent as JSON.
    throw new FieldErrors([{ field, message: `must be a JSON object sent with content-type: application/json (got ${got})` }]);
  }
  throw new FieldErrors([{ field, message: `must be a JSON object (got ${got})` }]);
}

/**
 * Text that was not valid UTF-8 on the wire reaches us with U+FFFD in place of the bad bytes (the body
 * is decoded before parsing), a lone surrogate escape decodes to no character at all, and a number
 * beyond a double (1e999) parses as Infinity, which JSON stores as null. Storing any of them would
 * silently corrupt names and properties, so the field is named instead (the API's parser already
 * refuses lone surrogates and such numbers; this covers the CLI's files too). Walks keys and values;
 * the depth is already bounded by MAX_DEPTH.
 */
function unstorable(value: Record<string, unknown>, prefix: string): FieldError[] {
  const out: FieldError[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.length || depth > MAX_DEPTH + 1) return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push({ field: path || 'body', message: 'is too large for a 64-bit number: send at most ±1.7976931348623157e308, or send it as a string' });
      return;
    }
    if (typeof v === 'string') {
      if (v.includes('\uFFFD')) out.push({ field: path || 'body', message: 'is not valid UTF-8 (bytes were replaced by U+FFFD): send the body encoded as UTF-8' });
      else if (LONE_SURROGATE.test(v)) out.push({ field: path || 'body', message: LONE_SURROGATE_MESSAGE });
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = [path, k.replace(/[\uD800-\uDFFF]/gu, '\uFFFD')].filter(Boolean).join('.');
      if (k.includes('\uFFFD')) {
        out.push({ field: p, message: 'this key is not valid UTF-8 (bytes were replaced by U+FFFD): send the body encoded as UTF-8' });
        return;
      }
      if (LONE_SURROGATE.test(k)) {
        out.push({ field: p, message: `this key ${LONE_SURROGATE_MESSAGE}` });
        return;
      }
      walk(x, p, depth + 1);
    }
  };
  walk(value, prefix, 0);
  return out;
}
