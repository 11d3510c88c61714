// Survey answers, "I need help" clicks and the survey report:
//
//   GET  /s/:token?score=N  one click in a survey email: the answer is signalled to the survey
//                           workflow (workflow id = the token's survey id), which stores it and
//                           escalates low scores; the page thanks the customer in their language and
//                           offers an optional comment.
//   POST /s/:token          the comment form (application/x-www-form-urlencoded: score, comment).
//   GET  /h/:token          "I need help" (routes/help.ts).
//   GET  /v1/surveys/report NPS, CSAT, CES and response rates (ops scope; surveys-report.ts).
//
// Answers follow the survey workflow's rules: one answer per survey; a later click or comment
// within the window replaces the earlier one; after the window the link has expired (the token's
// expiry is the window's end) or the workflow has closed, and the page says the survey is closed.
// A tampered, malformed or wrong-purpose link gets a 400 page, an expired one 410, a score outside
// the kind's range 400; none of them records anything. HEAD requests are not answered (link
// scanners that probe with HEAD record nothing).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { EnrollmentDeps } from '../enrollments';
import type { SurveyKind } from '../../../domain/sequence/types';
import { MAX_COMMENT_LENGTH, surveyAnswerSignal } from '../../../workflows/survey/messages';
import { SCORE_RANGES, isSurveyKind, isValidScore } from '../../../workflows/survey/scores';
import { checkToken, sendFeedbackPage } from './feedback-pages';
import { helpRoutes } from './help';
import { formatReport, parseReportQuery, REPORT_DIMENSIONS, surveyReport } from '../surveys-report';

export interface FeedbackRouteOptions {
  deps: EnrollmentDeps;
}

/** An integer score in the kind's range, or undefined. */
function parseScore(raw: unknown, kind: SurveyKind): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,2}$/.test(raw.trim())) return undefined;
  const n = Number(raw.trim());
  return isValidScore(kind, n) ? n : undefined;
}

/** Trims, removes control characters (keeping line breaks) and caps the comment. */
export function cleanComment(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/g, ' ')
    .trim()
    .slice(0, MAX_COMMENT_LENGTH);
}

/** GET/POST /s/:token, GET /h/:token and GET /v1/surveys/report; register with `{ deps }`. */
export async function surveyRoutes(app: FastifyInstance, opts: FeedbackRouteOptions): Promise<void> {
  const { deps } = opts;

  // The comment form posts application/x-www-form-urlencoded (this plugin's scope only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_req, body, done) => {
    const fields: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) fields[k] = v;
    done(null, fields);
  });

  /** Signals the answer; the page to show when it could not be delivered. */
  async function deliver(surveyId: string, score: number, comment?: string): Promise<'ok' | 'closed' | 'error'> {
    try {
      await deps.temporal.workflow.getHandle(surveyId).signal(surveyAnswerSignal, { surveyId, score, ...(comment ? { comment } : {}) });
      return 'ok';
    } catch (err) {
      // The survey workflow has finished (its window closed) or was erased with the customer.
      if (err instanceof WorkflowNotFoundError) return 'closed';
      return 'error';
    }
  }

  // Wildcards, not `/s/:token`: signed tokens are longer than Fastify's default maxParamLength (100).
  type SurveyRequest = FastifyRequest<{ Params: { '*': string }; Querystring: { score?: string }; Body: Record<string, string> | undefined }>;

  async function answer(req: SurveyRequest, reply: FastifyReply, comment: string | undefined, rawScore: unknown) {
    const token = req.params['*'];
    const t = await checkToken(deps, req, token, 'survey');
    // An expired survey link is a closed survey: the token expires when the answer window ends.
    if (!t.ok) return sendFeedbackPage(reply, t.status, t.locale, { kind: t.page === 'expired' ? 'closed' : 'invalid' });
    const { s: surveyId, k: kind } = t.payload;
    if (typeof surveyId !== 'string' || !surveyId || !isSurveyKind(kind)) return sendFeedbackPage(reply, 400, t.locale, { kind: 'invalid' });
    const score = parseScore(rawScore, kind);
    if (score === undefined) {
      const [min, max] = SCORE_RANGES[kind];
      return sendFeedbackPage(reply, 400, t.locale, { kind: 'bad-score', min, max });
    }
    const delivered = await deliver(surveyId, score, comment);
    if (delivered === 'closed') return sendFeedbackPage(reply, 410, t.locale, { kind: 'closed' });
    if (delivered === 'error') {
      req.log.error({ surveyId }, 'survey answer could not be signalled');
      return sendFeedbackPage(reply, 503, t.locale, { kind: 'error' });
    }
    if (comment) return sendFeedbackPage(reply, 200, t.locale, { kind: 'comment-thanks' });
    // Relative to /s/: the form posts back to this same link (works behind a path prefix too).
    const formAction = `${encodeURIComponent(token)}?score=${score}`;
    return sendFeedbackPage(reply, 200, t.locale, { kind: 'thanks', score, formAction });
  }

  app.get<{ Params: { '*': string }; Querystring: { score?: string } }>('/s/*', {
    exposeHeadRoute: false,
    schema: { hide: true },
  }, async (req, reply) => answer(req as SurveyRequest, reply, undefined, req.query.score));

  app.post<{ Params: { '*': string }; Querystring: { score?: string }; Body: Record<string, string> | undefined }>('/s/*', {
    schema: { hide: true },
  }, async (req, reply) => {
    const body = req.body && typeof req.body === 'object' ? req.body : {};
    const comment = cleanComment(body.comment);
    // An empty comment changes nothing: show the thanks page (with the form) again.
    return answer(req as SurveyRequest, reply, comment || undefined, body.score ?? req.query.score);
  });

  await helpRoutes(app, deps);

  app.get<{ Querystring: { since?: string; until?: string; groupBy?: string; format?: string } }>('/v1/surveys/report', {
    config: { scope: 'ops' },
    schema: {
      summary: 'Survey metrics (NPS, CSAT, CES, response rate) over a time range, grouped',
      description:
        'Surveys count in the period their email was sent (since inclusive, until exclusive; a plain date as until includes that day). ' +
        'Defaults: the last 30 days, grouped by survey (sequence/step). NPS = % promoters (9-10) - % detractors (0-6); CSAT = % of 4-5; ' +
        'response rate = answered / sent. `format=text` returns the table the CLI prints.',
      security: [{ bearer: [] }],
      querystring: {
        type: 'object',
        properties: {
          since: { type: 'string', description: 'YYYY-MM-DD or ISO-8601 instant' },
          until: { type: 'string', description: 'YYYY-MM-DD (inclusive) or ISO-8601 instant (exclusive)' },
          groupBy: { type: 'string', description: `none, or a comma-separated list of ${REPORT_DIMENSIONS.join(', ')}` },
          format: { type: 'string', enum: ['json', 'text'] },
        },
      },
    },
  }, async (req, reply) => {
    const report = await surveyReport(deps.db, parseReportQuery(req.query));
    if (req.query.format === 'text') return reply.header('content-type', 'text/plain; charset=utf-8').send(formatReport(report));
    return report;
  });
}
