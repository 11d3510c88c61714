// Ops monitoring in the API: the dashboard (a static page under /dashboard whose data comes from the
// JSON endpoints under /v1/ops), run actions, /metrics (routes/metrics.ts) and request logs.
//
// Auth: every data endpoint needs the `ops` scope, as `Authorization: Bearer <key>` (scripts,
// Prometheus) or, for browsers, which cannot send that header on navigation, a session cookie:
// POST /dashboard/login with the key (the page's form), or open /dashboard?key=<key> once. The
// cookie (HttpOnly, SameSite=Strict, 12 hours) holds the key sealed with AES-GCM under a key derived
// from OUTREACH_SECRET's first key (any key of the ring opens it, so sessions survive a rotation
// until the old key is dropped); before routing, a GET to /v1/ops/*, /metrics or /dashboard that carries it and
// no Authorization header gets the key as its Bearer header, so the API's one authenticator decides
// (scopes, revocation) for both. The cookie never authorizes a write: actions need the header.
// The page itself (HTML, JS, CSS) holds no data and is public.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server';
import { hashKey } from '../auth';
import { FieldErrors } from '../schemas';
import { createLogger } from '../../../worker/logging';
import {
  actOnRun, checkQueryValue, isRunState, listRuns, parseInstant, runDetail, RUN_ACTIONS, RUN_STATES, RunQueryError, withLocalTimes,
  type RunAction, type RunFilter, type RunsContext,
} from '../../dashboard/runs';
import { OpsStats } from '../../dashboard/stats';
import { metricsRoutes } from './metrics';

export const SESSION_COOKIE = 'outreach_ops';
const SESSION_SECONDS = 12 * 3600;
const STATIC_DIR = path.join(__dirname, '..', '..', 'dashboard', 'static');
const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8', 'favicon.svg': 'image/svg+xml' };

function sealKey(secret: string): Buffer {
  return createHash('sha256').update(`outreach-dashboard-session\u0000${secret}`).digest();
}

/** OUTREACH_SECRET's keys: one, or the ring (the first seals, every one opens). */
type SessionKeys = string | readonly string[];
const ringOf = (keys: SessionKeys): readonly string[] => (typeof keys === 'string' ? [keys] : keys);

/** The session cookie's value: the API key and its expiry, encrypted and authenticated with the first key. */
export function sealSession(keys: SessionKeys, apiKey: string, expiresAt: number): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(ringOf(keys)[0]), iv);
  const body = Buffer.concat([c.update(JSON.stringify({ k: apiKey, e: expiresAt }), 'utf8'), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url');
}

/** The API key in a session cookie value, or undefined when it is forged, damaged or expired. */
export function openSession(keys: SessionKeys, token: string, now = Date.now()): string | undefined {
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 12 + 16 + 2) return undefined;
  // Sealed with whichever key signed at the time: the authentication tag tells which one opens it.
  for (const secret of ringOf(keys)) {
    try {
      const d = createDecipheriv('aes-256-gcm', sealKey(secret), raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      const json = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
      const { k, e } = JSON.parse(json) as { k?: unknown; e?: unknown };
      return typeof k === 'string' && typeof e === 'number' && e > now ? k : undefined;
    } catch {
      // Not this key (or damaged): try the next.
    }
  }
  return undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

const COOKIE_PATHS = /^\/(v1\/ops\/|metrics(\?|$)|dashboard(\/|\?|$))/;

/** Turns a valid session cookie into a Bearer header, before Fastify routes the request. */
function installCookieAuth(server: FastifyInstance['server'], keys: readonly string[]): void {
  const marked = server as typeof server & { __outreachCookieAuth?: boolean };
  if (marked.__outreachCookieAuth) return;
  marked.__outreachCookieAuth = true;
  server.prependListener('request', (req: IncomingMessage) => {
    if (req.headers.authorization || (req.method !== 'GET' && req.method !== 'HEAD') || !COOKIE_PATHS.test(req.url ?? '')) return;
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const key = token ? openSession(keys, token) : undefined;
    if (key) req.headers.authorization = `Bearer ${key}`;
  });
}

function isSecure(req: FastifyRequest, publicBaseUrl: string): boolean {
  return req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https' || publicBaseUrl.startsWith('https:');
}

function setSession(reply: FastifyReply, req: FastifyRequest, deps: ApiDeps, key: string): void {
  const value = sealSession(deps.config.secrets, key, Date.now() + SESSION_SECONDS * 1000);
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${isSecure(req, deps.config.api.publicBaseUrl) ? '; Secure' : ''}`);
}

async function hasOpsScope(deps: ApiDeps, key: string): Promise<boolean> {
  if (!key || key.length > 200) return false;
  const row = await deps.db.apiKey.findUnique({ where: { keyHash: hashKey(key) } });
  return !!row && !row.revokedAt && row.scopes.split(',').includes('ops');
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

// --- request parsing -----------------------------------------------------------------------------

function intParam(raw: unknown, field: string, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new FieldErrors([{ field, message: `must be an integer from ${min} to ${max}` }]);
  return n;
}

function fieldErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RunQueryError) throw new FieldErrors([{ field: err.field === 'next-before' ? 'nextBefore' : err.field, message: err.message }]);
    throw err;
  }
}

function runFilter(q: Record<string, string | undefined>): RunFilter {
  return fieldErrors(() => {
    const f: RunFilter = {};
    if (q.sequence) f.sequence = checkQueryValue(q.sequence, 'sequence');
    if (q.state) {
      if (!isRunState(q.state)) throw new FieldErrors([{ field: 'state', message: `must be one of ${RUN_STATES.join(', ')}` }]);
      f.state = q.state;
    }
    if (q.nextBefore) f.nextBefore = parseInstant(q.nextBefore, 'nextBefore');
    return f;
  });
}

function pageToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[A-Za-z0-9_-]{1,4000}$/.test(raw)) throw new FieldErrors([{ field: 'pageToken', message: 'is not a token returned by a previous page' }]);
  return raw;
}

// --- OpenAPI fragments ---------------------------------------------------------------------------

const anyObject = { type: 'object', additionalProperties: true } as const;
const ops = (summary: string, extra: Record<string, unknown> = {}) => ({
  summary, tags: ['ops'], security: [{ bearer: [] }], response: { 200: anyObject }, ...extra,
});
const noValidation = { validatorCompiler: () => () => true };
const runListQuery = {
  type: 'object',
  properties: {
    sequence: { type: 'string', description: 'Sequence id' },
    state: { type: 'string', enum: [...RUN_STATES] },
    nextBefore: { type: 'string', format: 'date-time', description: 'Only runs whose next action is due before this instant' },
    pageSize: { type: 'string', pattern: '^[0-9]+$', description: '1-500, default 50' },
    pageToken: { type: 'string', description: 'nextPageToken of the previous page' },
    local: { type: 'string', enum: ['true', 'false'], description: "Ask running runs for the next action's local time (default true for pages of at most 100)" },
  },
} as const;

/** The dashboard, its JSON endpoints and /metrics, plus request logs for every API route. */
export async function opsRoutes(api: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { config, db } = deps;
  const log = createLogger(config, { bindings: { component: 'api' } });
  const ctx: RunsContext & { db: typeof db } = {
    temporal: deps.temporal, namespace: config.temporal.namespace, taskQueue: deps.taskQueue ?? config.temporal.taskQueue,
    temporalUiUrl: config.ops.temporalUiUrl, db,
  };
  const stats = new OpsStats(ctx, deps.registry);
  installCookieAuth(api.server, config.secrets);

  // Request logs: method, route, status and time; never bodies, query strings (?key=) or headers.
  api.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '(no route)';
    // The dashboard's auto-refresh and Prometheus scrapes log at debug; everything else at info.
    const polling = req.method === 'GET' && reply.statusCode < 400 && /^\/(v1\/ops\/|metrics$|dashboard\/assets\/)/.test(route);
    const entry = { reqId: req.id, method: req.method, route, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, keyId: req.auth?.keyId };
    const level = reply.statusCode >= 500 ? 'error' : polling ? 'debug' : 'info';
    log[level](entry, 'request');
  });

  await api.register(async (app) => {
    // --- the page -----------------------------------------------------------------------------
    const indexHtml = fs.readFileSync(path.join(STATIC_DIR, 'index.html'), 'utf8');
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    app.get<{ Querystring: { key?: string } }>('/dashboard', { schema: { hide: true } }, async (req, reply) => {
      const key = req.query.key;
      if (key !== undefined) {
        // The key travels in the URL once; the cookie replaces it and the redirect drops it from the address bar.
        const ok = await hasOpsScope(deps, key);
        if (ok) setSession(reply, req, deps, key);
        return reply.code(303).header('location', ok ? '/dashboard' : '/dashboard#login-failed').send();
      }
      return reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(indexHtml);
    });
    app.get<{ Params: { file: string } }>('/dashboard/assets/:file', { schema: { hide: true } }, async (req, reply) => {
      const type = ASSETS[req.params.file];
      if (!type) return reply.code(404).send({ error: 'no such asset' });
      return reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type(type).send(fs.readFileSync(path.join(STATIC_DIR, req.params.file)));
    });
    app.post<{ Body: { key?: string } }>('/dashboard/login', {
      schema: { summary: 'Dashboard login: trades an API key with the ops scope for a session cookie', tags: ['ops'], body: { type: 'object', properties: { key: { type: 'string' } } } },
      ...noValidation,
    }, async (req, reply) => {
      const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
      const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      if (!(await hasOpsScope(deps, key))) {
        if (form) return reply.code(303).header('location', '/dashboard#login-failed').send();
        return reply.code(401).send({ error: 'this is not an active API key with the "ops" scope' });
      }
      setSession(reply, req, deps, key);
      return form ? reply.code(303).header('location', '/dashboard').send() : reply.code(204).send();
    });
    app.post('/dashboard/logout', { schema: { summary: 'Dashboard logout: clears the session cookie', tags: ['ops'] } }, async (_req, reply) => {
      return reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).code(204).send();
    });

    // --- JSON endpoints -----------------------------------------------------------------------
    app.get('/v1/ops/session', { config: { scope: 'ops' }, schema: ops('Who am I: the API key id behind this request (Bearer or dashboard cookie)') }, async (req) => ({
      keyId: req.auth?.keyId, namespace: ctx.namespace, taskQueue: ctx.taskQueue, temporalUiUrl: config.ops.temporalUiUrl,
    }));

    app.get('/v1/ops/overview', {
      config: { scope: 'ops' },
      schema: ops('Runs by sequence, step and state (Temporal visibility counts) and enrollments by stored status'),
    }, async () => ({ ...(await stats.overview()), enrollments: await stats.enrollments() }));

    app.get<{ Querystring: Record<string, string | undefined> }>('/v1/ops/runs', {
      config: { scope: 'ops' },
      schema: ops('Runs, newest first, one page at a time (Temporal visibility: sequence, step, state, next action; no personal data)', { querystring: runListQuery }),
      ...noValidation,
    }, async (req) => {
      const filter = runFilter(req.query);
      const pageSize = intParam(req.query.pageSize, 'pageSize', 1, 500, 50);
      const page = await fieldErrors(() => listRuns(ctx, filter, { pageSize, pageToken: pageToken(req.query.pageToken) }));
      // Local times live in the runs themselves (visibility has the UTC instant only): ask the running
      // ones of a page, a few at a time, unless the caller opts out or asks for a large page.
      if (req.query.local !== 'false' && pageSize <= 100) await withLocalTimes(ctx, page.runs);
      return page;
    });

    app.get<{ Params: { workflowId: string } }>('/v1/ops/runs/:workflowId', {
      config: { scope: 'ops' },
      schema: ops('One run: steps done joined with the send ledger, failure or retrying activity, next action in local time and UTC, Temporal Web UI link'),
    }, async (req, reply) => {
      const d = await runDetail(ctx, req.params.workflowId);
      if (!d) return reply.code(404).send({ error: `no run "${req.params.workflowId}"` });
      return d;
    });

    app.post<{ Params: { workflowId: string; action: string }; Body: { reason?: string } | null }>('/v1/ops/runs/:workflowId/:action', {
      config: { scope: 'ops' },
      schema: ops('Pause, resume or cancel (gracefully) a run through its Update: 200 when the run accepted it, 409 naming why not', {
        params: { type: 'object', properties: { workflowId: { type: 'string' }, action: { type: 'string', enum: [...RUN_ACTIONS] } } },
        body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 500 } } },
      }),
      ...noValidation,
    }, async (req, reply) => {
      const action = req.params.action as RunAction;
      if (!(RUN_ACTIONS as readonly string[]).includes(action)) throw new FieldErrors([{ field: 'action', message: `must be one of ${RUN_ACTIONS.join(', ')}` }]);
      const reason = req.body && typeof req.body === 'object' && typeof req.body.reason === 'string' ? req.body.reason.slice(0, 500) : undefined;
      const r = await actOnRun(ctx, req.params.workflowId, action, reason);
      return r.ok ? r : reply.code(409).send({ error: r.error, workflowId: r.workflowId });
    });

    app.get<{ Querystring: { hours?: string } }>('/v1/ops/due', {
      config: { scope: 'ops' },
      schema: ops('Next actions due per hour (sends and other waits ending) over the next hours (default 24)', {
        querystring: { type: 'object', properties: { hours: { type: 'string', pattern: '^[0-9]+$', description: '1-72, default 24' } } },
      }),
      ...noValidation,
    }, async (req) => stats.due(intParam(req.query.hours, 'hours', 1, 72, 24)));

    app.get<{ Querystring: { pageToken?: string } }>('/v1/ops/failures', {
      config: { scope: 'ops' },
      schema: ops('Send-ledger problems (failed, ambiguous, retrying) with error and attempts, and failed runs with their reasons', {
        querystring: { type: 'object', properties: { pageToken: { type: 'string' } } },
      }),
      ...noValidation,
    }, async (req) => stats.failures({ pageToken: pageToken(req.query.pageToken) }));

    app.get<{ Querystring: { hours?: string } }>('/v1/ops/sends', {
      config: { scope: 'ops' },
      schema: ops('Emails per hour (sent, failed, suppressed, ambiguous) and totals by status, template, locale and country', {
        querystring: { type: 'object', properties: { hours: { type: 'string', pattern: '^[0-9]+$', description: '1-336, default 48' } } },
      }),
      ...noValidation,
    }, async (req) => stats.sends(intParam(req.query.hours, 'hours', 1, 336, 48)));

    app.get<{ Querystring: { days?: string } }>('/v1/ops/surveys', {
      config: { scope: 'ops' },
      schema: ops('NPS, CSAT and CES: scores, response rates, daily trend, breakdowns by locale and country', {
        querystring: { type: 'object', properties: { days: { type: 'string', pattern: '^[0-9]+$', description: '1-365, default 30' } } },
      }),
      ...noValidation,
    }, async (req) => stats.surveys(intParam(req.query.days, 'days', 1, 365, 30)));

    await app.register(metricsRoutes, { stats });
  });
}

// Registered with skip-override so the request-log hook covers every route of the API's routes
// plugin, not only the ones above; the routes themselves still live in their own child context.
(opsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
