// Activity proxies shared by every workflow (sequence, survey, check-in, help request). The SMTP
// send runs on the email task queue `<this workflow's task queue>-email` (worker/worker.ts), where
// the provider's rate limit applies; the name derives from workflowInfo(), so it is the same on
// every replay. A heartbeat timeout lets a retry start soon after a worker dies mid-send (the ledger
// then marks that send ambiguous, never resends it blindly). Everything else runs on the workflow's
// own queue.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as sequenceActivities from '../../activities/sequence';

export type Activities = ReturnType<typeof sequenceActivities.createSequenceActivities>;

export const activityOptions: Parameters<typeof proxyActivities>[0] = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    // Failures that retrying cannot fix; everything else (SMTP 4xx, database hiccups) retries.
    nonRetryableErrorTypes: ['TemplateError', 'CalendarError', 'CustomerNotFound', 'InvalidRecipient', 'DefinitionNotFound'],
  },
};
const workerActs = proxyActivities<Activities>(activityOptions);
const emailActs = () =>
  proxyActivities<Pick<Activities, 'sendStepEmail'>>({
    ...activityOptions,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    taskQueue: `${workflowInfo().taskQueue}-email`,
  });

export const acts: typeof workerActs = new Proxy(workerActs, {
  get: (target, name, receiver) =>
    name === 'sendStepEmail'
      ? (req: Parameters<Activities['sendStepEmail']>[0]) => emailActs().sendStepEmail(req)
      : Reflect.get(target, name, receiver),
});

/** The alert webhook gives up after about a day of failures (the alert email has gone out by then). */
export const hooks = proxyActivities<Pick<Activities, 'postAlertWebhook'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
});
