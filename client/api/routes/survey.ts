// Survey answers, "I need help" clicks and the survey report:
//
//   GET  /s/:token?score=N  one click in a survey email: a page in the customer's language with the
//                           chosen score and a form that POSTs it. The page's own script submits the
//                           form at once (a button does without script), so a person answers in one
//                           click; a mail security scanner, which fetches every link with GET,
//                           records nothing. GET never changes anything.
//   POST /s/:token?score=N  records the answer (application/x-www-form-urlencoded: score, and the
//                           optional comment): it is signalled to the survey workflow (workflow id =
//                           the token's survey id), which stores it and escalates low scores; the
//                           page thanks the customer and offers the optional comment form, which
//                           posts here again with the comment.
//   GET/POST /h/:token      "I need help", the same way (routes/help.ts).
//   GET  /v1/surveys/report NPS, CSAT, CES and response rates (ops scope; surveys-report.ts).
//
// Answers follow the survey workflow's rules: one answer per survey; a later click or comment
// within the window replaces the earlier one; after the window the link has expired (the token's
// expiry is the window's end) or the workflow has closed, and the page says the survey is closed.
// A tampered, malformed or wrong-purpose link gets a 400 page, an expired one 410, a score outside
// the kind's range 400, on GET and POST alike; none of them records anything. HEAD requests are not
// answered.
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

/** GET/POST /s/:token, GET/POST /h/:token and GET /v1/surveys/report; register with `{ deps }`. */
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

  /** The verified survey and score of a request, or the error page already sent. */
  async function surveyAndScore(req: SurveyRequest, reply: FastifyReply, rawScore: unknown) {
    const token = req.params['*'];
    const t = await checkToken(deps, req, token, 'survey');
    // An expired survey link is a closed survey: the token expires when the answer window ends.
    if (!t.ok) return void sendFeedbackPage(reply, t.status, t.locale, { kind: t.page === 'expired' ? 'closed' : 'invalid' });
    const { s: surveyId, k: kind } = t.payload;
    if (typeof surveyId !== 'string' || !surveyId || !isSurveyKind(kind)) return void sendFeedbackPage(reply, 400, t.locale, { kind: 'invalid' });
    const score = parseScore(rawScore, kind);
    if (score === undefined) {
      const [min, max] = SCORE_RANGES[kind];
      return void sendFeedbackPage(reply, 400, t.locale, { kind: 'bad-score', min, max });
    }
    // Relative to /s/: forms post back to this same link (works behind a path prefix too).
    return { surveyId, score, locale: t.locale, formAction: `${encodeURIComponent(token)}?score=${score}` };
  }

  /** GET: the one-tap page; nothing is recorded. */
  async function confirm(req: SurveyRequest, reply: FastifyReply) {
    const a = await surveyAndScore(req, reply, req.query.score);
    if (!a) return reply;
    return sendFeedbackPage(reply, 200, a.locale, { kind: 'confirm-score', score: a.score, formAction: a.formAction });
  }

  /** POST: records the answer (and the comment, when there is one). */
  async function answer(req: SurveyRequest, reply: FastifyReply, comment: string | undefined, rawScore: unknown) {
    const a = await surveyAndScore(req, reply, rawScore);
    if (!a) return reply;
    const { surveyId, score, locale } = a;
    const delivered = await deliver(surveyId, score, comment);
    if (delivered === 'closed') return sendFeedbackPage(reply, 410, locale, { kind: 'closed' });
    if (delivered === 'error') {
      req.log.error({ surveyId }, 'survey answer could not be signalled');
      return sendFeedbackPage(reply, 503, locale, { kind: 'error' });
    }
    if (comment) return sendFeedbackPage(reply, 200, locale, { kind: 'comment-thanks' });
    return sendFeedbackPage(reply, 200, locale, { kind: 'thanks', score, formAction: a.formAction });
  }

  app.get<{ Params: { '*': string }; Querystring: { score?: string } }>('/s/*', {
    exposeHeadRoute: false,
    schema: { hide: true },
  }, async (req, reply) => confirm(req as SurveyRequest, reply));

  app.post<{ Params: { '*': string }; Querystring: { score?: string }; Body: Record<string, string> | undefined }>('/s/*', {
    schema: { hide: true },
  }, async (req, reply) => {
    const body = req.body && typeof req.body === 'object' ? req.body : {};
    const comment = cleanComment(body.comment);
    // The one-tap form and an empty comment record the score alone (an earlier comment is kept).
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
