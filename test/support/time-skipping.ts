// Temporal's time-skipping test server for multi-week sequences: timers of days or weeks complete in
// milliseconds while everything else is real (the worker, activities, database, SMTP sink).
// One environment per suite; tests in a suite run one after another (time is global to a server).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection, WorkflowClientInterceptor } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../domain/config';
import { createDb, tuneSqlite, type Db } from '../../activities/db/client';
import { createTransport, type MailTransport } from '../../activities/mail/transport';
import { TemplateRenderer } from '../../activities/render';
import { searchAttributeRegistration } from '../../domain/search-attributes';
import { MailCatcher } from '../../client/mail-catcher/mail-catcher';
import { createOutreachWorker, type OutreachWorker } from '../../worker/worker';
import { freshDatabase, type Provider } from './stack';
import path from 'node:path';
import { loadAccount } from '../../domain/account';
import { DEFAULT_TEMPLATES_DIR } from '../../worker/runtime';
import { clientConnectionOptions } from '../../worker/temporal-connection';

export interface SkippingStack {
  env: TestWorkflowEnvironment;
  config: Config;
  db: Db;
  sink: MailCatcher;
  transport: MailTransport;
  taskQueue: string;
  /** Runs `fn` while a worker polls (with `config`, e.g. another OUTREACH_SECRET); the worker stops afterwards. */
  withWorker<T>(fn: () => Promise<T>, config?: Config): Promise<T>;
  stop(): Promise<void>;
}

/** How long one query or signal to the time-skipping server may take before it is sent again. */
const CALL_DEADLINE_MS = 15_000;
const CALL_ATTEMPTS = 4;

function deadlineExceeded(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: string } | undefined;
  return e?.code === 4 || e?.cause?.code === 4 || /DEADLINE_EXCEEDED/.test(`${e?.message ?? ''}`);
}

/**
 * The Java time-skipping server now and then never answers a query (or a signal) that reaches a run
 * while it continues as new: seen under CPU pressure in test/engine/history-bound.test.ts (a query
 * after 1,750 signals) and at about 65,000 signals. Such a call would hang the test until jest gives
 * up. Each attempt gets a deadline and is sent again: queries are read-only, and the workflows
 * ignore an event or answer they have already taken in (by its id).
 */
function patientCalls(connection: () => Connection): WorkflowClientInterceptor {
  async function patiently<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connection().withDeadline(Date.now() + CALL_DEADLINE_MS, call);
      } catch (err) {
        if (attempt >= CALL_ATTEMPTS || !deadlineExceeded(err)) throw err;
        console.warn(`time-skipping server: ${what} not answered within ${CALL_DEADLINE_MS} ms (attempt ${attempt}); sending it again`);
      }
    }
  }
  return {
    query: (input, next) => patiently(`query ${input.queryType} to ${input.workflowExecution.workflowId}`, () => next(input)),
    signal: (input, next) => patiently(`signal ${input.signalName} to ${input.workflowExecution.workflowId}`, () => next(input)),
  };
}

export async function startTimeSkipping(opts: { provider?: Provider; env?: Record<string, string> } = {}): Promise<SkippingStack> {
  const serverPath = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!serverPath) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run the tests through `npm test` (its global setup resolves the test server)');
  // The client's keepalive pings (every 30 s, also between calls) exceed what the Java test server
  // permits (one per 5 minutes): after two strikes it closes the connection with "too many pings",
  // and a call in flight on it can hang for good. `createTimeSkipping` has no connection options,
  // so the environment is built through the same factory it uses, with pings every 10 minutes.
  const factory = TestWorkflowEnvironment as unknown as { create(o: Record<string, unknown>): Promise<TestWorkflowEnvironment> };
  let connection: Connection | undefined;
  const create = () => factory.create({
    server: { type: 'time-skipping', executable: { type: 'existing-path', path: serverPath } },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: { 'grpc.keepalive_time_ms': 600_000, 'grpc.keepalive_permit_without_calls': 0 }, ...clientConnectionOptions() },
    client: { interceptors: { workflow: [patientCalls(() => connection!)] } },
  });
  // The SDK gives the JVM a fixed 5 s to listen; on a machine loaded far beyond its cores (load 15 on
  // 2 cores) it can miss that once. The SDK stops the late server; a second start finds the JVM's
  // files in the page cache and listens in time. Any other error, or a third miss, fails the suite.
  let env: TestWorkflowEnvironment | undefined;
  for (let attempt = 1; !env; attempt++) {
    try {
      env = await create();
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test((err as Error).message)) throw err;
      console.warn(`time-skipping server did not start in the SDK's 5 s (attempt ${attempt}): starting it again`);
    }
  }
  connection = env.connection;
  await env.connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: searchAttributeRegistration() });
  const database = await freshDatabase(opts.provider ?? 'sqlite');
  const sink = new MailCatcher();
  const smtpPort = await sink.listen();
  const taskQueue = `ts-${randomUUID()}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TEMPORAL_TASK_QUEUE: taskQueue,
    OUTREACH_SECRET: 'test-secret-time-skipping',
    PUBLIC_BASE_URL: 'http://outreach.test',
    DISPATCH_WAIT_MS: '10000', // POST /v1/events names what it started (see stack.ts)
    ...opts.env,
  });
  const db = createDb(config.database);
  if (config.database.provider === 'sqlite') await tuneSqlite(db);
  const transport = createTransport(config.smtp);
  const renderer = new TemplateRenderer();
  const account = loadAccount(path.join(DEFAULT_TEMPLATES_DIR, 'account.json'), config.api.publicBaseUrl);
  // The worker of the `withWorker` in progress. A test that jest abandoned (it timed out) leaves its
  // worker polling; the next `withWorker` (a second worker for the same task queue on the same
  // connection is refused) and `stop` (which closes the connection under it) stop it first, so one
  // slow test fails alone instead of failing every test after it.
  let active: { worker: OutreachWorker; done: Promise<unknown> } | undefined;
  const stopActive = async () => {
    const a = active;
    if (!a) return;
    a.worker.shutdown();
    await a.done.catch(() => undefined);
  };
  return {
    env, config, db, sink, transport, taskQueue,
    async withWorker<T>(fn: () => Promise<T>, workerConfig: Config = config): Promise<T> {
      await stopActive();
      const worker: OutreachWorker = await createOutreachWorker({ config: workerConfig, connection: env.nativeConnection, db, transport, renderer, account, taskQueue });
      const done = worker.runUntil(fn);
      const mine = { worker, done };
      active = mine;
      try {
        return await done;
      } finally {
        if (active === mine) active = undefined;
      }
    },
    async stop() {
      await stopActive();
      transport.close();
      await db.$disconnect();
      await sink.close();
      await database.drop();
      await env.teardown();
    },
  };
}
