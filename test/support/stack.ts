// The real stack for integration tests: a fresh database (SQLite file or PostgreSQL database) with
// migrations applied, an in-process SMTP sink, a worker on its own task queue against the shared
// Temporal dev server, and the HTTP API on a free port. Nothing is mocked.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client as PgClient } from 'pg';
import { loadConfig, type Config } from '../../domain/config';
import { createDb, tuneSqlite, type Db } from '../../activities/db/client';
import { migrateDatabase } from '../../activities/db/migrate';
import { createTransport, type MailTransport } from '../../activities/mail/transport';
import { TemplateRenderer } from '../../activities/render';
import { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { MailCatcher, type MailCatcherOptions } from '../../client/mail-catcher/mail-catcher';
import { createOutreachWorker, type OutreachWorker } from '../../worker/worker';
import { buildApi } from '../../client/api/server';
import { loadAccount } from '../../domain/account';
import { DEFAULT_TEMPLATES_DIR } from '../../worker/runtime';
import { createApiKey } from '../../client/api/auth';
import { clientConnectionOptions } from '../../worker/temporal-connection';

export type Provider = 'sqlite' | 'postgresql';

/** A fresh, migrated database of the given kind; `drop` removes it. */
export async function freshDatabase(provider: Provider): Promise<{ url: string; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-db-'));
    const url = `file:${path.join(dir, 'test.db')}`;
    await migrateDatabase(url, { quiet: true });
    return { url, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_POSTGRES_URL is not set: run the tests through `npm test` (its global setup starts PostgreSQL)');
  const name = `outreach_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const c = new PgClient({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDatabase(url, { quiet: true });
  return {
    url,
    async drop() {
      const d = new PgClient({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export interface Stack {
  config: Config;
  db: Db;
  sink: MailCatcher;
  temporal: Client;
  /** Undefined when started with `worker: false`. */
  worker?: OutreachWorker;
  api: FastifyInstance;
  baseUrl: string;
  taskQueue: string;
  /** Keys with both scopes, only ingest, only ops. */
  keys: { all: string; ingest: string; ops: string };
  /** JSON over HTTP with the all-scopes key. */
  call(method: string, url: string, body?: unknown): ReturnType<typeof http>;
  transport: MailTransport;
  stop(): Promise<void>;
}

export interface StackOptions {
  provider?: Provider;
  sequences?: SequenceDefinition[];
  /** Run the worker (default true); false lets a test prove nothing is sent without it. */
  worker?: boolean;
  env?: Record<string, string>;
  api?: { bodyLimit?: number };
  /** Options for the SMTP sink (benchmarks count messages without keeping them). */
  sink?: MailCatcherOptions;
  /** Where the API's Temporal client connects (a fault proxy, say); the worker always uses the server itself. */
  apiTemporalAddress?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run the tests through `npm test` (its global setup starts Temporal)');
  const database = await freshDatabase(opts.provider ?? 'sqlite');
  const sink = new MailCatcher(opts.sink);
  const smtpPort = await sink.listen();
  const taskQueue = `test-${randomUUID()}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    // A secret per stack: workflow ids derive from it, and stacks share one Temporal namespace.
    OUTREACH_SECRET: `test-secret-${randomUUID()}`,
    PUBLIC_BASE_URL: 'http://outreach.test',
    // Suites assert on the enrollments an event started, so POST /v1/events waits for the dispatch
    // (the synchronous mode); test/api/event-status.test.ts covers the default, which does not.
    DISPATCH_WAIT_MS: '10000',
    ...opts.env,
  });
  const db = createDb(config.database);
  if (config.database.provider === 'sqlite') await tuneSqlite(db);
  const transport = createTransport(config.smtp);
  const renderer = new TemplateRenderer();
  const registry = new SequenceRegistry(opts.sequences ?? []);
  const connection = await Connection.connect({ address: opts.apiTemporalAddress ?? address, ...clientConnectionOptions() });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  const account = loadAccount(path.join(DEFAULT_TEMPLATES_DIR, 'account.json'), config.api.publicBaseUrl);
  const worker = opts.worker === false ? undefined : await createOutreachWorker({ config, connection: nativeConnection, db, transport, renderer, account, taskQueue });
  const workerRun = worker?.run();
  const keys = {
    all: (await createApiKey(db, 'test-all', ['ingest', 'ops'])).key,
    ingest: (await createApiKey(db, 'test-ingest', ['ingest'])).key,
    ops: (await createApiKey(db, 'test-ops', ['ops'])).key,
  };
  const api = buildApi({ config, db, temporal, registry, taskQueue, ...opts.api });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.server.address() as { port: number };
  return {
    config, db, sink, temporal, worker, api, taskQueue, transport, keys,
    baseUrl: `http://127.0.0.1:${port}`,
    call: (method, url, body) => http(`http://127.0.0.1:${port}`, method, url, body, { authorization: `Bearer ${keys.all}` }),
    async stop() {
      await api.close();
      if (worker && workerRun) {
        worker.shutdown();
        await workerRun;
      }
      await nativeConnection.close();
      await connection.close();
      transport.close();
      await db.$disconnect();
      await sink.close();
      await database.drop();
    },
  };
}

/** JSON over HTTP against the running API. */
export async function http(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index freely into response bodies
}
