// Rotating OUTREACH_SECRET after a leak, the documented way (docs/security.md): add the new key in
// front (OUTREACH_SECRET=new,old), deploy, and drop the old key once the longest link lifetime has
// passed. Links already in inboxes keep working until then, new links carry the new key's id, the
// two-part tokens sent before key ids existed keep verifying against every key of the ring, and a
// dashboard session survives the rotation. Real parts: time-skipping Temporal, workers, SQLite, the
// SMTP sink, and one HTTP API per configuration, all on the same database and Temporal server.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../domain/config';
import { signLink, type LinkPayload } from '../../domain/signed-links';
import { buildApi } from '../../client/api/server';
import { SequenceRegistry } from '../../domain/sequence/registry';
import { surveyWorkflow } from '../../workflows/survey/workflow';
import { surveyStateQuery } from '../../workflows/survey/messages';
import { eventually, scoreLinks, startFeedbackStack, type FeedbackStack } from '../surveys/support';
import { engineLinks, settle } from './support';

const OLD = `old-${randomBytes(24).toString('hex')}`;
const NEW = `new-${randomBytes(24).toString('hex')}`;

let s: FeedbackStack;
const apis: FastifyInstance[] = [];
// Workers are replaced in the middle of a survey (a deploy): without a workflow cache there is no
// sticky queue of a stopped worker for the test server to wait out.
const ENV = { SURVEY_FATIGUE_DAYS: '0', WORKER_MAX_CACHED_WORKFLOWS: '0' };
beforeAll(async () => {
  s = await startFeedbackStack({ env: { ...ENV, OUTREACH_SECRET: OLD } });
});
afterAll(async () => {
  for (const api of apis) await api.close();
  await s?.stopAll();
});

/** The stack's configuration with another OUTREACH_SECRET, parsed as the engine parses it. */
function configWith(secret: string): Config {
  return loadConfig({
    DATABASE_URL: s.config.database.url,
    SMTP_URL: s.config.smtp.url,
    TEMPORAL_TASK_QUEUE: s.taskQueue,
    PUBLIC_BASE_URL: s.config.api.publicBaseUrl,
    ACCOUNT_OWNER_EMAIL: s.config.accountOwnerEmail,
    ...ENV,
    OUTREACH_SECRET: secret,
  });
}

/** An API process deployed with this OUTREACH_SECRET; `fetch` takes the email's links. */
async function apiWith(secret: string) {
  const api = buildApi({ config: configWith(secret), db: s.db, temporal: s.env.client, registry: new SequenceRegistry([]), taskQueue: s.taskQueue });
  apis.push(api);
  await api.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const local = (url: string) => url.replace(/^https?:\/\/outreach\.test/, base).replace(/^\//, `${base}/`);
  return {
    get: async (url: string, headers: Record<string, string> = {}) => {
      const res = await fetch(local(url), { redirect: 'manual', headers });
      return { status: res.status, text: await res.text(), cookie: res.headers.get('set-cookie') };
    },
    post: async (url: string, body: string, type = 'application/x-www-form-urlencoded') => {
      const res = await fetch(local(url), { method: 'POST', redirect: 'manual', headers: { 'content-type': type }, body });
      return { status: res.status, text: await res.text(), cookie: res.headers.get('set-cookie') };
    },
  };
}

/** A token exactly as 479987e wrote them, still in inboxes: base64url(JSON) "." base64url(HMAC). */
function legacyToken(secret: string, payload: LinkPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const tokenOf = (link: string) => decodeURIComponent(/\/[shu]\/([^?]+)/.exec(link)![1]);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const mailTo = (id: string) => s.sink.messages.filter((m) => m.envelope.to[0] === `${id}@example.com`);
const score = async (surveyId: string) => (await s.db.surveyResponse.findUnique({ where: { surveyId } }))?.score;

async function customer(): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  await s.db.customer.create({ data: { id, email: `${id}@example.com`, givenName: 'Rui', locale: 'pt-BR', timeZone: 'America/Sao_Paulo', country: 'BR', consentMarketing: true } });
  return id;
}

/** Starts a survey and waits for its email (sent by whichever worker runs). */
async function surveyEmail(customerId: string) {
  const surveyId = `survey-rot-${randomUUID().slice(0, 8)}`;
  const handle = await s.env.client.workflow.start(surveyWorkflow, {
    workflowId: surveyId,
    taskQueue: s.taskQueue,
    args: [{ surveyId, customerId, kind: 'csat', template: 'csat-survey', window: { days: 30 }, sequenceId: 'rotation', stepId: 'csat' }],
  });
  await s.skipUntil(() => mailTo(customerId).length >= 1, { what: 'the survey email' });
  // The worker stops after this: let the survey finish recording the send before it does.
  await eventually(async () => (await handle.query(surveyStateQuery)).phase === 'open' && !!(await s.db.surveyResponse.findUnique({ where: { surveyId } })), 'the survey open');
  await settle(500);
  return { surveyId, handle, email: mailTo(customerId)[0] };
}

const answer = (api: Awaited<ReturnType<typeof apiWith>>, link: string, n: number) => api.post(link.replace(/score=\d+$/, `score=${n}`), `score=${n}`);

it('rotates OUTREACH_SECRET without breaking links in inboxes: new,old verifies both; new alone refuses old links', async () => {
  // Before the rotation: OUTREACH_SECRET=old. A survey email goes out, an ops person signs in.
  const before = await customer();
  const a = await s.withWorker(() => surveyEmail(before));
  const oldLink = scoreLinks(a.email).get(5)!;
  const oldUnsubscribe = engineLinks(a.email).find((l) => l.includes('/u/'))!;
  const old = await apiWith(OLD);
  const login = await old.post('/dashboard/login', JSON.stringify({ key: s.keys.ops }), 'application/json');
  expect(login.status).toBe(204);
  const oldSession = login.cookie!.split(';')[0];
  // Tokens written before key ids existed, signed with the old key.
  const legacyCustomer = await customer();
  const b = await s.withWorker(() => surveyEmail(legacyCustomer));
  const legacySurvey = `/s/${legacyToken(OLD, { p: 'survey', c: legacyCustomer, e: inAnHour(), s: b.surveyId, k: 'csat', w: b.surveyId })}?score=4`;
  const legacyUnsubscribe = `/u/${legacyToken(OLD, { p: 'unsubscribe', c: legacyCustomer, e: inAnHour(), cat: 'marketing' })}`;

  // Step 1 of the rotation: OUTREACH_SECRET=new,old on every API process and worker.
  const both = await apiWith(`${NEW},${OLD}`);
  await s.withWorker(async () => {
    const page = await both.get(oldLink);
    expect(page.status).toBe(200);
    expect((await answer(both, oldLink, 5)).status).toBe(200);
    await eventually(async () => (await score(a.surveyId)) === 5, 'the old link answered after the rotation');
    expect((await both.get(oldUnsubscribe)).status).toBe(200);
    expect((await both.post(legacySurvey, 'score=4')).status).toBe(200);
    await eventually(async () => (await score(b.surveyId)) === 4, 'the legacy link answered after the rotation');
    expect((await both.get(legacyUnsubscribe)).status).toBe(200);
  }, configWith(`${NEW},${OLD}`));
  // The dashboard session sealed with the old key still opens; a new sign-in seals with the new key.
  expect((await both.get('/v1/ops/session', { cookie: oldSession })).status).toBe(200);
  const relogin = await both.post('/dashboard/login', JSON.stringify({ key: s.keys.ops }), 'application/json');
  const newSession = relogin.cookie!.split(';')[0];

  // New emails are signed with the first key: their tokens carry its key id, not the old one's.
  const after = await customer();
  const c = await s.withWorker(() => surveyEmail(after), configWith(`${NEW},${OLD}`));
  const newLink = scoreLinks(c.email).get(4)!;
  const oldKeyId = tokenOf(oldLink).split('.')[0];
  const newKeyId = tokenOf(newLink).split('.')[0];
  expect(tokenOf(newLink).split('.')).toHaveLength(3);
  expect(tokenOf(oldLink).split('.')).toHaveLength(3);
  expect(newKeyId).toBe(signLink(NEW, { p: 'help', c: 'x', e: inAnHour() }).split('.')[0]);
  expect(oldKeyId).toBe(signLink(OLD, { p: 'help', c: 'x', e: inAnHour() }).split('.')[0]);
  expect(newKeyId).not.toBe(oldKeyId);
  for (const key of [NEW, OLD]) for (const id of [newKeyId, oldKeyId]) expect(key).not.toContain(id);
  for (const link of engineLinks(c.email).filter((l) => /\/[shu]\//.test(l))) expect(tokenOf(link).split('.')[0]).toBe(newKeyId);

  // Step 2, after the longest link lifetime: OUTREACH_SECRET=new. Old links get the 400 page.
  const only = await apiWith(NEW);
  await s.withWorker(async () => {
    // No longer genuine, so the page speaks the browser's language (the customer's is not trusted).
    const refused = await only.get(oldLink.replace(/score=5$/, 'score=1'), { 'accept-language': 'pt-BR,pt;q=0.9' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Este link não funciona');
    expect((await answer(only, oldLink, 1)).status).toBe(400);
    expect((await only.get(oldUnsubscribe)).status).toBe(400);
    expect((await only.post(legacySurvey.replace(/score=4$/, 'score=2'), 'score=2')).status).toBe(400);
    await settle();
    expect(await score(a.surveyId)).toBe(5);
    expect(await score(b.surveyId)).toBe(4);
    expect(await a.handle.query(surveyStateQuery)).toMatchObject({ status: 'answered', score: 5 });
    expect((await s.db.customer.findUniqueOrThrow({ where: { id: legacyCustomer } })).consentMarketing).toBe(true);
    // New links work; so do two-part tokens signed with the new key.
    expect((await answer(only, newLink, 4)).status).toBe(200);
    await eventually(async () => (await score(c.surveyId)) === 4, 'the new link answered');
    expect((await only.get(`/u/${legacyToken(NEW, { p: 'unsubscribe', c: after, e: inAnHour(), cat: 'marketing' })}`)).status).toBe(200);
  }, configWith(NEW));
  expect((await only.get('/v1/ops/session', { cookie: newSession })).status).toBe(200);
  expect((await only.get('/v1/ops/session', { cookie: oldSession })).status).toBe(401);

  for (const survey of [a, b, c]) await survey.handle.terminate('test over');
});
