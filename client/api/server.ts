// The HTTP API (Fastify). Every body is validated by a JSON schema (unknown fields rejected) and the
// checks in schemas.ts; bad input gets 400 with field-level messages and writes nothing. The OpenAPI
// document is served at /openapi.json.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';
import type { SequenceRegistry } from '../../domain/sequence/registry';
import { createAuthenticator } from './auth';
import { eraseCustomer, listEnrollments, upsertCustomer } from './customers';
import { eventStatus, ingestBatch, ingestEvent, MAX_PREFER_WAIT_SECONDS, preferredWaitMs } from './ingest';
import { parseJsonBody } from './json-body';
import { customerSchema, eventSchema, eventsBodySchema, FieldErrors, makeAjv, MAX_BATCH, MAX_CUSTOMER_ID, validateCustomer, validateCustomerId, validateEvent } from './schemas';
import type { EnrollmentDeps } from './enrollments';
import { Dispatcher } from './dispatch';

export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Client;
  registry: SequenceRegistry;
  taskQueue?: string;
  /** Maximum request body in bytes (default 1 MiB). */
  bodyLimit?: number;
}

const errorResponse = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;

/** A database error caused by text PostgreSQL cannot store (a NUL byte: SQLSTATE 22021). */
function isUnstorableText(err: unknown): boolean {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } } | null)?.meta?.driverAdapterError?.cause;
  return cause?.originalCode === '22021' || cause?.originalCode === '22P05';
}

/**
 * The path parameter of a bad URL: the `:name` of the registered route whose shape the path has, at
 * the first segment `isBad` picks out; `url` when no route fits.
 */
function badPathParameter(url: string, routes: readonly string[][], isBad: (segment: string) => boolean): string {
  const segments = url.split('?')[0]!.split('/');
  const at = segments.findIndex(isBad);
  const route = routes.find((r) => r.length === segments.length && r[at]?.startsWith(':') && r.every((part, k) => part.startsWith(':') || part === segments[k]));
  return route ? route[at]!.slice(1) : 'url';
}

/** Longest path parameter the router matches; longer ones get the 400 of frameworkErrors below. */
const MAX_PARAM_LENGTH = 8192;

/** A path segment's length once percent-decoded, as the router measures it. */
function decodedLength(segment: string): number {
  try {
    return decodeURIComponent(segment).length;
  } catch {
    return segment.length;
  }
}

const undecodable = (segment: string) => {
  try {
    decodeURIComponent(segment);
    return false;
  } catch {
    return true;
  }
};

export function buildApi(deps: ApiDeps): FastifyInstance {
  const { db, config } = deps;
  const enrollmentDeps: EnrollmentDeps = { db, temporal: deps.temporal, registry: deps.registry, config, taskQueue: deps.taskQueue ?? config.temporal.taskQueue };
  // Dispatches accepted events in order per customer, and sweeps up what is still queued (dispatch.ts).
  const dispatcher = new Dispatcher(enrollmentDeps).start();
  enrollmentDeps.dispatcher = dispatcher;
  const ajv = makeAjv();
  /** Every route with path parameters, split at "/", to name the parameter of a bad URL. */
  const paramRoutes: string[][] = [];
  // Long path parameters reach the routes, which answer with the field that is wrong (a customer id
  // over 200 characters is a 400 naming `id`), instead of Fastify's bare 414 at 100 characters.
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // URLs the router itself refuses get the same answer as any bad field: a 400 naming the path
    // parameter, never the URL echoed back (Fastify's own 414/400 repeat it whole). URLs over Node's
    // header limit (16 KiB) never get here: Node answers 431, without the URL.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        // Longer than the router takes (8192): the same answer as the route's own length check.
        const url = req.raw.url ?? '';
        const field = badPathParameter(url, paramRoutes, (s) => decodedLength(s) > MAX_PARAM_LENGTH);
        const length = Math.max(...url.split('?')[0]!.split('/').map(decodedLength));
        const limit = field === 'id' ? MAX_CUSTOMER_ID : MAX_PARAM_LENGTH;
        return reply.code(400).send({ error: 'invalid request', errors: [{ field, message: `must NOT have more than ${limit} characters (has ${length})` }] });
      }
      if (err.code === 'FST_ERR_BAD_URL') {
        // Percent-encoding that is not UTF-8 (%ED%A0%80 is a lone surrogate, %FF no character at all).
        const field = badPathParameter(req.raw.url ?? '', paramRoutes, undecodable);
        return reply.code(400).send({ error: 'invalid request', errors: [{ field, message: 'is not valid UTF-8 once percent-decoded (a lone surrogate or bytes that are no character): send the text percent-encoded as UTF-8' }] });
      }
      return reply.code(err.statusCode ?? 400).send({ error: err.message });
    },
  });
  app.addHook('onRoute', (route) => {
    if (route.url.includes(':')) paramRoutes.push(route.url.split('/'));
  });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  // Only JSON bodies: text/plain gets the same 415 as any other type (Fastify would read it as text).
  // JSON goes through our parser: duplicate and reserved keys are refused with the field's name.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Outreach API', version: '1', description: 'Profiles and events in; sequences start and react exactly once per event.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // Shared schemas appear under their own names (components.schemas.Customer, ...).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.addSchema(customerSchema);
  app.addSchema(eventSchema);
  app.addSchema(eventsBodySchema);

  app.addHook('onRequest', createAuthenticator(db));
  app.addHook('onClose', async () => dispatcher.stop());

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof FieldErrors) return reply.code(400).send({ error: 'invalid request', errors: err.errors });
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: 'send the body as application/json' });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: `the body is larger than ${deps.bodyLimit ?? 1024 * 1024} bytes: send fewer events per batch (at most ${MAX_BATCH})` });
    if (err.validation) {
      // Body shapes are checked again by validateCustomer/validateEvent for precise messages.
      return reply.code(400).send({ error: 'invalid request', errors: [{ field: 'body', message: err.message }] });
    }
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    if (isUnstorableText(err)) {
      // PostgreSQL cannot store NUL in text (SQLite can): the sender's value is at fault, not us.
      const params = (req.params ?? {}) as Record<string, unknown>;
      const field = Object.keys(params).find((k) => typeof params[k] === 'string' && (params[k] as string).includes('\u0000')) ?? 'body';
      return reply.code(400).send({ error: 'invalid request', errors: [{ field, message: 'contains a NUL character (\\u0000), which cannot be stored: remove it' }] });
    }
    req.log.error(err);
    return reply.code(500).send({ error: 'internal error' });
  });

  // Routes live in a plugin registered after swagger, so swagger's route hook sees every one of them.
  app.register(async (api) => {
    api.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
    api.register((require('./routes/unsubscribe') as typeof import('./routes/unsubscribe')).unsubscribeRoutes, { deps: enrollmentDeps }); // GET/POST /u/:token
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    api.register((require('./routes/survey') as typeof import('./routes/survey')).surveyRoutes, { deps: enrollmentDeps }); // GET/POST /s/:token, GET /h/:token, GET /v1/surveys/report
    api.register((require('./routes/dashboard') as typeof import('./routes/dashboard')).opsRoutes, deps); // /dashboard, /v1/ops/*, /metrics, request logs

    api.put<{ Params: { id: string } }>('/v1/customers/:id', {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Create or update a customer profile',
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
        body: { $ref: 'Customer#' },
        response: { 200: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } }, 400: errorResponse },
      },
      // Validation happens in the handler (validateCustomer) so the CLI and API share one path.
      validatorCompiler: () => () => true,
    }, async (req) => upsertCustomer(enrollmentDeps, validateCustomerId(req.params.id), validateCustomer(req.body)));

    api.post('/v1/events', {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Ingest one event, or a batch as { events: [...] }',
        description: `\`id\` is the sender's idempotency key: a redelivery is acknowledged with duplicate: true and changes nothing. A new event is answered (202, status "queued") as soon as it is stored; GET /v1/events/{id} shows its dispatch. \`Prefer: wait=<seconds>\` (at most ${MAX_PREFER_WAIT_SECONDS}) waits for the dispatch and names the enrollments it started. A batch (at most ${MAX_BATCH}) stores the valid items and reports each rejected one.`,
        security: [{ bearer: [] }],
        body: { $ref: 'EventsBody#' },
      },
      validatorCompiler: () => () => true,
    }, async (req, reply) => {
      const waitMs = preferredWaitMs(req.headers.prefer);
      if (waitMs !== undefined) reply.header('preference-applied', waitMs ? `wait=${waitMs / 1000}` : 'respond-async');
      const body = req.body as Record<string, unknown> | null;
      if (body && typeof body === 'object' && !Array.isArray(body) && 'events' in body) {
        const items = body.events;
        const extra = Object.keys(body).filter((k) => k !== 'events');
        if (extra.length) throw new FieldErrors(extra.map((k) => ({ field: k, message: 'unknown field' })));
        if (!Array.isArray(items) || items.length === 0) throw new FieldErrors([{ field: 'events', message: 'must be a non-empty array of events' }]);
        if (items.length > MAX_BATCH) throw new FieldErrors([{ field: 'events', message: `has ${items.length} items; send at most ${MAX_BATCH} per request` }]);
        const results = await ingestBatch(enrollmentDeps, items, waitMs);
        const rejected = results.filter((r) => r.status === 'rejected').length;
        return reply.code(rejected === results.length ? 400 : rejected ? 207 : 202).send({
          accepted: results.filter((r) => r.status === 'accepted').length,
          duplicates: results.filter((r) => r.status === 'duplicate').length,
          rejected,
          results,
        });
      }
      const r = await ingestEvent(enrollmentDeps, validateEvent(body), '', waitMs);
      return reply.code(r.duplicate ? 200 : 202).header('location', `/v1/events/${encodeURIComponent(r.id)}`).send(r);
    });

    api.get<{ Params: { id: string } }>('/v1/events/:id', {
      config: { scope: ['ingest', 'ops'] },
      schema: {
        summary: 'What became of an event: queued, dispatched or failed, and the enrollments it started',
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    }, async (req, reply) => {
      const status = await eventStatus(enrollmentDeps, req.params.id);
      if (!status) return reply.code(404).send({ error: `no event "${req.params.id.slice(0, 200)}": send it with POST /v1/events` });
      return status;
    });

    api.get<{ Params: { id: string } }>('/v1/customers/:id/enrollments', {
      config: { scope: 'ops' },
      schema: { summary: "A customer's enrollments and their state", security: [{ bearer: [] }] },
    }, async (req, reply) => {
      const list = await listEnrollments(enrollmentDeps, validateCustomerId(req.params.id));
      if (!list) return reply.code(404).send({ error: `no customer "${req.params.id}"` });
      return { customerId: req.params.id, enrollments: list };
    });

    api.delete<{ Params: { id: string } }>('/v1/customers/:id', {
      config: { scope: 'ops' },
      schema: { summary: 'Erase a customer: personal data removed or anonymized, workflows cancelled and deleted', security: [{ bearer: [] }] },
    }, async (req, reply) => {
      const r = await eraseCustomer(enrollmentDeps, validateCustomerId(req.params.id));
      if (!r.erased) return reply.code(404).send({ error: `no customer "${req.params.id}"` });
      return r;
    });
  });

  return app;
}
