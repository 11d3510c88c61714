// /h/:token — the one-click "I need help" link of check-in emails (every email carries one as
// links.help; the periodic-checkin template makes it its call to action).
//
//   GET  /h/:token  a page in the customer's language whose form POSTs the request; the page's own
//                   script submits it at once (a button does without script), so a person asks in
//                   one click, while a mail security scanner, which fetches every link with GET,
//                   raises nothing. GET never changes anything.
//   POST /h/:token  starts a small workflow (workflows/checkin/help.ts) that emails the account
//                   owner and posts the alert webhook; the customer sees a confirmation page.
//
// The workflow id is one per (customer, email workflow, UTC day), so repeated clicks raise one alert
// a day. Tampered links get a 400 page, expired ones (or links of an erased customer) 410, on GET and
// POST alike; neither raises anything. HEAD requests are not answered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Registers GET and POST /h/:token (inside the survey routes' plugin, which parses form bodies). */
export async function helpRoutes(app: FastifyInstance, deps: EnrollmentDeps): Promise<void> {
  type HelpRequest = FastifyRequest<{ Params: { '*': string } }>;

  /** The verified request of a link, or undefined when its error page has been sent. */
  async function helpLink(req: HelpRequest, reply: FastifyReply) {
    const token = req.params['*'];
    const t = await checkToken(deps, req, token, 'help');
    if (!t.ok) return void sendFeedbackPage(reply, t.status, t.locale, { kind: t.page });
    const customerId = t.payload.c;
    const source = typeof t.payload.w === 'string' ? t.payload.w : undefined;
    const customer = await deps.db.customer.findUnique({ where: { id: customerId }, select: { id: true } });
    if (!customer) return void sendFeedbackPage(reply, 410, t.locale, { kind: 'expired' });
    return { token, customerId, source, locale: t.locale };
  }

  // A wildcard, not `/h/:token`: signed tokens are longer than Fastify's default maxParamLength (100).
  app.get<{ Params: { '*': string } }>('/h/*', { exposeHeadRoute: false, schema: { hide: true } }, async (req, reply) => {
    const h = await helpLink(req, reply);
    if (!h) return reply;
    // Relative to /h/: the form posts back to this same link (works behind a path prefix too).
    return sendFeedbackPage(reply, 200, h.locale, { kind: 'confirm-help', formAction: encodeURIComponent(h.token) });
  });

  app.post<{ Params: { '*': string } }>('/h/*', { schema: { hide: true } }, async (req, reply) => {
    const h = await helpLink(req, reply);
    if (!h) return reply;
    const { customerId, source, locale } = h;
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
        return sendFeedbackPage(reply, 503, locale, { kind: 'error' });
      }
    }
    return sendFeedbackPage(reply, 200, locale, { kind: 'help' });
  });
}
