// The worker: runs the workflows of workflows/ and the activities of activities/ on one task queue.
import path from 'node:path';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Config } from '../domain/config';
import type { Db } from '../activities/db/client';
import type { MailTransport } from '../activities/mail/transport';
import type { Renderer } from '../activities/send/send-email';
import { createSequenceActivities } from '../activities/sequence';
import type { AccountSettings } from '../domain/account';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

let bundlePromise: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundles the workflow code once per process (about a second); workers share the bundle. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundlePromise ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundlePromise;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m: string) => console.error(m) };

export interface WorkerDeps {
  config: Config;
  connection: NativeConnection;
  db: Db;
  transport: MailTransport;
  renderer: Renderer;
  account: AccountSettings;
  taskQueue?: string;
  bundle?: WorkflowBundleWithSourceMap;
}

export async function createOutreachWorker(deps: WorkerDeps): Promise<Worker> {
  const activities = createSequenceActivities(deps);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.taskQueue ?? deps.config.temporal.taskQueue,
    workflowBundle: deps.bundle ?? (await workflowBundle()),
    activities,
  });
}
