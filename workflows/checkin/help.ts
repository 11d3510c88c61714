// "I need help": a customer clicked the help link of an email (check-ins carry it as their call to
// action). The API starts this small workflow with an id per (customer, email workflow, day), so
// repeated clicks raise one alert; it emails the account owner (exactly once, through the send
// ledger) and posts the optional webhook, each retried by Temporal.
import { ActivityFailure, log, workflowInfo } from '@temporalio/workflow';
import { acts, hooks } from '../shared/activities';
import type { HelpRequestInput } from './messages';

export async function helpRequestWorkflow(input: HelpRequestInput): Promise<{ email: string; webhook: string }> {
  const req = {
    workflowId: workflowInfo().workflowId, iteration: 0, customerId: input.customerId, at: input.requestedAt,
    help: { sourceWorkflowId: input.sourceWorkflowId },
  };
  const email = await acts.sendAlertEmail(req);
  let webhook = 'skipped';
  try {
    webhook = (await hooks.postAlertWebhook(req)).status;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('help alert webhook gave up', { error: err.cause?.message ?? err.message });
    webhook = 'failed';
  }
  return { email: email.status, webhook };
}
