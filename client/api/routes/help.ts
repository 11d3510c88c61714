// GET /h/:token — the one-click "I need help" link of check-in emails (every email carries one as
// links.help; the periodic-checkin template makes it its call to action). The click starts a small
// workflow (workflows/checkin/help.ts) that emails the account owner and posts the alert webhook,
// and the customer sees a confirmation page in their language. The workflow id is one per
// (customer, email workflow, UTC day), so repeated clicks raise one alert a day. Tampered links get
// a 400 page, expired ones (or links of an erased customer) 410; neither raises anything.
import type { FastifyInstance } from 'fastify';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { EnrollmentDeps } from '../enrollments';
import { opaqueId } from '../../../domain/signed-links';
import type { HelpRequestInput } from '../../../workflows/checkin/messages';
import type { helpRequestWorkflow } from '../../../workflows/checkin/help';
import { checkToken, sendFeedbackPage } from './feedback-pages';
import { identityKey } from '../identity';

/** The start every help-request workflow id of this customer shares (erasure finds them by it). */
/** The start every help-request workflow id of this customer shares, under the identity key (identity.ts). */
export function helpRequestPrefix(key: string, customerId: string): string {
  return `help-${opaqueId(key, customerId)}-`;
}

export function helpRequestWorkflowId(key: string, customerId: string, sourceWorkflowId: string | undefined, at: Date): string {
  const day = at.toISOString().slice(0, 10).replace(/-/g, '');
  return `${helpRequestPrefix(key, customerId)}${opaqueId(key, sourceWorkflowId ?? '-', 12)}-${day}`;
}

export async function helpRoutes(app: FastifyInstance, deps: EnrollmentDeps): Promise<void> {
  // A wildcard, not `/h/:token`: signed tokens are longer than Fastify's default maxParamLength (100).
  app.get<{ Params: { '*': string } }>('/h/*', { exposeHeadRoute: false, schema: { hide: true } }, async (req, reply) => {
    const t = await checkToken(deps, req, req.params['*'], 'help');
    if (!t.ok) return sendFeedbackPage(reply, t.status, t.locale, { kind: t.page });
    const customerId = t.payload.c;
    const source = typeof t.payload.w === 'string' ? t.payload.w : undefined;
    const customer = await deps.db.customer.findUnique({ where: { id: customerId }, select: { id: true } });
    if (!customer) return sendFeedbackPage(reply, 410, t.locale, { kind: 'expired' });
    const now = new Date();
    const input: HelpRequestInput = { customerId, sourceWorkflowId: source, requestedAt: now.toISOString() };
    try {
      await deps.temporal.workflow.start<typeof helpRequestWorkflow>('helpRequestWorkflow', {
        workflowId: helpRequestWorkflowId(await identityKey(deps.db, deps.config), customerId, source, now),
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      // Already asked today from this email: the owner has been told; confirm again.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        req.log.error({ err: (err as Error).message }, 'help request could not be started');
        return sendFeedbackPage(reply, 503, t.locale, { kind: 'error' });
      }
    }
    return sendFeedbackPage(reply, 200, t.locale, { kind: 'help' });
  });
}
