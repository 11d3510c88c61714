// The worker: two Temporal workers in one process.
// - the main worker runs the workflows of workflows/ and the activities of activities/ on the task
//   queue TEMPORAL_TASK_QUEUE;
// - the email worker runs only the SMTP send (`sendStepEmail`) on `<TEMPORAL_TASK_QUEUE>-email`, where
//   Temporal's own task-queue rate limit (EMAIL_RATE_PER_SECOND, enforced by the server across every
//   worker of that queue) keeps us inside the provider's sending limits.
// Workflows derive the email queue from their own task queue (workflowInfo().taskQueue + "-email"),
// so the name is deterministic and needs no configuration of its own.
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
import { Worker, type NativeConnection } from '@temporalio/worker';
import { emailTaskQueue, type Config } from '../domain/config';
import type { Db } from '../activities/db/client';
import type { MailTransport } from '../activities/mail/transport';
import type { Renderer } from '../activities/send/send-email';
import { createSequenceActivities } from '../activities/sequence';
import type { AccountSettings } from '../domain/account';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

let bundlePromise: Promise<{ code: string }> | undefined;
/**
 * Bundles the workflow code once per process (about a second); workers share the bundle. The
 * bundler (webpack) runs in a short-lived child process so its memory is not kept by the worker.
 */
export function workflowBundle(): Promise<{ code: string }> {
  bundlePromise ??= (async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'outreach-bundle-'));
    const out = path.join(dir, 'workflows.js');
    try {
      await execFileAsync(process.execPath, [path.join(__dirname, '..', 'scripts', 'bundle-workflows.js'), out], { maxBuffer: 16 * 1024 * 1024 });
      return { code: await fs.promises.readFile(out, 'utf8') };
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error((e.stderr || e.message).trim());
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  })();
  return bundlePromise;
}

const noop = () => undefined;

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: Db;
  transport: MailTransport;
  renderer: Renderer;
  account: AccountSettings;
  taskQueue?: string;
  bundle?: { code: string };
}

/** Both workers, driven together: `run`, `runUntil` and `shutdown` act on each. */
export interface OutreachWorker {
  readonly main: Worker;
  readonly email: Worker;
  readonly taskQueue: string;
  readonly emailTaskQueue: string;
  /** Runs both until shutdown (or until one fails, which stops the other and rethrows). */
  run(): Promise<void>;
  /** Runs both until `fnOrPromise` settles, then shuts both down; returns its result. */
  runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R>;
  /** Starts a graceful shutdown of both (safe to call more than once). */
  shutdown(): void;
}

export async function createOutreachWorker(deps: WorkerDeps): Promise<OutreachWorker> {
  const activities = createSequenceActivities(deps);
  const taskQueue = deps.taskQueue ?? deps.config.temporal.taskQueue;
  const emailQueue = emailTaskQueue(taskQueue);
  const main = await Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue,
    workflowBundle: deps.bundle ?? (await workflowBundle()),
    maxCachedWorkflows: deps.config.workerMaxCachedWorkflows,
    // Every activity, sendStepEmail included: sends scheduled on this queue by workflows that
    // started before the email queue existed still find a worker.
    activities,
  });
  const { emailRatePerSecond, emailConcurrency } = deps.config.delivery;
  const email = await Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: emailQueue,
    activities: { sendStepEmail: activities.sendStepEmail },
    maxConcurrentActivityTaskExecutions: emailConcurrency,
    ...(emailRatePerSecond ? { maxTaskQueueActivitiesPerSecond: emailRatePerSecond } : {}),
  });
  return combine(main, email, taskQueue, emailQueue);
}

function combine(main: Worker, email: Worker, taskQueue: string, emailQueue: string): OutreachWorker {
  const workers = [main, email];
  let running: Promise<void> | undefined;

  function shutdown(): void {
    for (const w of workers) {
      if (w.getState() !== 'RUNNING') continue;
      try {
        w.shutdown();
      } catch {
        // Already stopping: nothing to do.
      }
    }
  }

  function run(): Promise<void> {
    running ??= (async () => {
      const runs = workers.map((w) => w.run());
      // When one stops (shutdown or a fatal error), stop the other as well.
      await Promise.race(runs.map((p) => p.then(noop, noop)));
      shutdown();
      const results = await Promise.allSettled(runs);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return running;
  }

  async function runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R> {
    const runP = run();
    // A worker that stops (or fails) before the work is done ends the wait with that error.
    const stopped = runP.then(() => {
      throw new Error('the worker stopped before the function completed');
    });
    stopped.catch(noop);
    try {
      const work = typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise;
      return await Promise.race([work, stopped]);
    } finally {
      shutdown();
      await runP.catch(noop);
    }
  }

  return { main, email, taskQueue, emailTaskQueue: emailQueue, run, runUntil, shutdown };
}
