// A signed link is accepted only in the exact encoding the engine wrote. Base64url has other
// spellings of the same bytes (unused bits in the last character, "=" padding, the standard
// alphabet's "+" and "/", characters a lenient decoder skips such as "*!*" or whitespace); a
// re-encoded token (as some mail gateways or hand-edits produce) must get the 400 page and record
// nothing, for every part of the token, every kind of link, and both token formats (the current one
// and the two-part tokens already in inboxes). Real parts: time-skipping Temporal, the worker,
// SQLite, the SMTP sink and the HTTP API.
import { identityKey } from '../../client/api/identity';
import { createHmac, randomUUID } from 'node:crypto';
import { signLink, type LinkPayload } from '../../domain/signed-links';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery } from '../../workflows/survey/messages';
import { eventually, startFeedbackStack, type FeedbackStack } from '../surveys/support';
import { helpRequestsStarted, postForm, settle } from './support';

let s: FeedbackStack;
beforeAll(async () => {
  s = await startFeedbackStack({ env: { SURVEY_FATIGUE_DAYS: '0' } });
});
afterAll(async () => s?.stopAll());

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (b: Buffer) => b.toString('base64url');

/** A token exactly as 479987e wrote them, still in inboxes: base64url(JSON) "." base64url(HMAC). */
function legacyToken(secret: string, payload: LinkPayload): string {
  const body = b64(Buffer.from(JSON.stringify(payload)));
  return `${body}.${b64(createHmac('sha256', secret).update(body).digest())}`;
}

type Format = 'current' | 'legacy';
const sign = (format: Format, payload: LinkPayload) => (format === 'current' ? signLink(s.config.secret, payload) : legacyToken(s.config.secret, payload));

/**
 * A genuine token whose payload and MAC both have a base64url character from outside the standard
 * alphabet ("-" or "_") and whose payload ends in a character with unused bits, so that every
 * re-encoding below applies (a nonce field varies the bytes until they do; "~" and "?" make the 6-bit
 * groups 62 and 63 likely).
 */
function genuineToken(format: Format, payload: LinkPayload): string {
  for (let i = 0; i < 100_000; i++) {
    const token = sign(format, { ...payload, n: `${'~?'.repeat(i % 5)}${i}` });
    const parts = token.split('.');
    const [body, mac] = parts.slice(-2);
    if (body.length % 4 !== 0 && /[-_]/.test(body) && /[-_]/.test(mac)) return token;
  }
  throw new Error('no token with every re-encoding found');
}

/** Other encodings of one part's bytes, and characters a lenient decoder skips. */
function reencodings(part: string): Array<[string, string]> {
  const mid = Math.floor(part.length / 2);
  const out: Array<[string, string]> = [];
  if (part.length % 4 !== 0) {
    const last = ALPHABET.indexOf(part[part.length - 1]);
    out.push(['an unused bit of the last character set', part.slice(0, -1) + ALPHABET[last ^ 1]]);
    out.push(['"=" padding to a multiple of 4', part + '='.repeat(4 - (part.length % 4))]);
  }
  out.push(['"==" appended', `${part}==`]);
  out.push(['"*!*" inserted', `${part.slice(0, mid)}*!*${part.slice(mid)}`]);
  out.push(['a space inserted', `${part.slice(0, mid)} ${part.slice(mid)}`]);
  out.push(['a line break appended', `${part}\n`]);
  if (/[-_]/.test(part)) out.push(['the standard alphabet ("+", "/")', part.replace(/-/g, '+').replace(/_/g, '/')]);
  return out;
}

/** Every damaged form of a genuine token: each part re-encoded, and extra or missing parts. */
function variants(token: string): Array<[string, string]> {
  const parts = token.split('.');
  const names = parts.length === 3 ? ['key id', 'payload', 'MAC'] : ['payload', 'MAC'];
  const out: Array<[string, string]> = [];
  parts.forEach((part, i) => {
    for (const [how, changed] of reencodings(part)) out.push([`${names[i]}: ${how}`, parts.map((p, j) => (j === i ? changed : p)).join('.')]);
  });
  out.push(['an extra part', `${token}.${parts[parts.length - 1]}`]);
  out.push(['an empty extra part', `${token}.`]);
  out.push(['an empty first part', `.${token}`]);
  out.push(['a space before the token', ` ${token}`]);
  return out;
}

/** The path of a link with this token: characters that cannot stand in a URL path are %-encoded. */
const tokenPath = (token: string) => token.replace(/[ \n]/g, (c) => encodeURIComponent(c));

/** GET and POST of every variant: variant -> [GET status, POST status]. */
async function tryAll(token: string, url: (t: string) => string, postBody: Record<string, string>): Promise<Record<string, [number, number]>> {
  const table: Record<string, [number, number]> = {};
  for (const [name, variant] of variants(token)) {
    const get = await s.fetch(url(tokenPath(variant)));
    const post = await postForm(s, url(tokenPath(variant)), postBody);
    table[name] = [get.status, post.status];
  }
  return table;
}

const refusedEverywhere = (table: Record<string, [number, number]>) => Object.fromEntries(Object.keys(table).map((k) => [k, [400, 400]]));
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function customer(consentMarketing = false): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  await s.db.customer.create({ data: { id, email: `${id}@example.com`, givenName: 'Kim', locale: 'en', timeZone: 'Europe/Berlin', country: 'DE', consentMarketing } });
  return id;
}

describe.each<Format>(['current', 'legacy'])('%s tokens', (format) => {
  it('a re-encoded survey link gets 400 on GET and POST and records no answer', async () => {
    await s.withWorker(async () => {
      const customerId = await customer();
      const surveyId = `survey-canon-${randomUUID().slice(0, 8)}`;
      const handle = await s.env.client.workflow.start(surveyWorkflow, {
        workflowId: surveyId,
        taskQueue: s.taskQueue,
        args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 7 }, sequenceId: 'canon', stepId: 'csat' }],
      });
      try {
        await s.skipUntil(async () => (await handle.query(surveyStateQuery)).phase === 'open', { what: 'the survey to open' });
        const token = genuineToken(format, { p: 'survey', c: customerId, e: inAnHour(), s: surveyId, k: 'csat', w: surveyId });

        const table = await tryAll(token, (t) => `/s/${t}?score=4`, { score: '4' });
        expect(table).toEqual(refusedEverywhere(table));
        await settle();
        expect((await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.score).toBeNull();
        expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'unanswered' });

        // The genuine token, posted the same way, records the answer.
        expect((await postForm(s, `/s/${token}?score=4`, { score: '4' })).status).toBe(200);
        expect(await handle.query(surveyStateQuery)).toMatchObject({ status: 'answered', score: 4 });
        await eventually(async () => (await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.score === 4, 'the answer stored');
      } finally {
        // Activities still running when the worker stops would hold the test server's clock.
        await settle();
        await handle.terminate('test over');
      }
    });
  });

  it('a re-encoded help link gets 400 on GET and POST and starts no help request', async () => {
    await s.withWorker(async () => {
      const customerId = await customer();
      const source = `canon-source-${randomUUID().slice(0, 8)}`;
      const token = genuineToken(format, { p: 'help', c: customerId, e: inAnHour(), w: source });
      try {
        const table = await tryAll(token, (t) => `/h/${t}`, {});
        expect(table).toEqual(refusedEverywhere(table));
        await settle();
        expect(await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), customerId, source)).toEqual([]);

        expect((await postForm(s, `/h/${token}`)).status).toBe(200);
        expect(await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), customerId, source)).toHaveLength(1);
      } finally {
        // Let the help request finish its alert before the worker stops (later tests skip time).
        for (const id of await helpRequestsStarted(s.env.client, await identityKey(s.db, s.config), customerId, source)) await s.env.client.workflow.getHandle(id).result();
      }
    });
  });

  it('a re-encoded unsubscribe link gets 400 on GET and on the one-click POST and unsubscribes nobody', async () => {
    const customerId = await customer(true);
    const token = genuineToken(format, { p: 'unsubscribe', c: customerId, e: inAnHour(), cat: 'marketing' });
    const suppressions = await s.db.suppression.count();

    const table = await tryAll(token, (t) => `/u/${t}`, { 'List-Unsubscribe': 'One-Click' });
    expect(table).toEqual(refusedEverywhere(table));
    expect((await s.db.customer.findUniqueOrThrow({ where: { id: customerId } })).consentMarketing).toBe(true);
    expect(await s.db.suppression.count()).toBe(suppressions);

    expect((await postForm(s, `/u/${token}`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
    expect((await s.db.customer.findUniqueOrThrow({ where: { id: customerId } })).consentMarketing).toBe(false);
  });
});
