// GET /metrics: Prometheus text format, `ops` scope (Prometheus sends the key as a bearer token:
// `authorization: { credentials: <key> }` in the scrape config). One scrape of the API answers "how is
// the outreach doing" even when workers run as separate processes:
// - this process's registry (activities/observability.ts): email counters by outcome, template,
//   locale and category, render and send latency histograms, process metrics. In `outreach dev` the
//   worker runs in this process, so these count every send; a separate worker serves its own on
//   WORKER_METRICS_PORT;
// - gauges computed at scrape time (cached 10 s) from shared state every process writes to: the send
//   ledger (emails by status/template/locale/category), Temporal visibility (active enrollments by
//   sequence, step and state), the Enrollment table and the survey answers (counts and scores).
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { registry as processRegistry } from '../../../activities/observability';
import type { OpsStats } from '../../dashboard/stats';

export function apiMetricsRegistry(stats: OpsStats): Registry {
  const reg = new Registry();
  new Gauge({
    name: 'outreach_ledger_emails',
    help: 'Emails in the send ledger by status (sent, failed, suppressed, ambiguous, retry, sending, pending), template, locale and category; all processes, all time.',
    labelNames: ['status', 'template', 'locale', 'category'] as const,
    registers: [reg],
    async collect() {
      const rows = await stats.ledgerBreakdown();
      this.reset();
      for (const r of rows) this.set({ status: r.status, template: r.template, locale: r.locale, category: r.category }, r.count);
    },
  });
  new Gauge({
    name: 'outreach_active_enrollments',
    help: 'Running enrollments by sequence, current step and state (waiting, sending, paused), from Temporal visibility.',
    labelNames: ['sequence', 'step', 'state'] as const,
    registers: [reg],
    async collect() {
      const o = await stats.overview();
      this.reset();
      for (const s of o.sequences) {
        const counted = { waiting: 0, sending: 0, paused: 0 };
        for (const st of s.steps) {
          for (const state of ['waiting', 'sending', 'paused'] as const) {
            if (st[state]) this.set({ sequence: s.sequenceId, step: st.stepId, state }, st[state]);
            counted[state] += st[state];
          }
        }
        // Runs on steps the current definition does not have (older versions) or of removed sequences.
        for (const state of ['waiting', 'sending', 'paused'] as const) {
          const rest = s[state] - counted[state];
          if (rest > 0) this.set({ sequence: s.sequenceId, step: '(other)', state }, rest);
        }
      }
    },
  });
  new Gauge({
    name: 'outreach_runs',
    help: 'Runs by sequence and ops state (waiting, sending, paused, failed, completed), from Temporal visibility.',
    labelNames: ['sequence', 'state'] as const,
    registers: [reg],
    async collect() {
      const o = await stats.overview();
      this.reset();
      for (const s of o.sequences) for (const state of ['waiting', 'sending', 'paused', 'failed', 'completed'] as const) this.set({ sequence: s.sequenceId, state }, s[state]);
    },
  });
  new Gauge({
    name: 'outreach_enrollments',
    help: 'Enrollments by sequence and stored status (running, paused, completed, exited, cancelled, holdout, failed), from the database.',
    labelNames: ['sequence', 'status'] as const,
    registers: [reg],
    async collect() {
      const rows = await stats.enrollments();
      this.reset();
      for (const r of rows) this.set({ sequence: r.sequence, status: r.status }, r.count);
    },
  });
  const surveys = async () => stats.surveyTotals();
  new Gauge({
    name: 'outreach_surveys_sent',
    help: 'Surveys sent by kind, locale and country (all time).',
    labelNames: ['kind', 'locale', 'country'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      for (const r of await surveys()) this.inc({ kind: r.kind, locale: r.locale, country: r.country }, r.count);
    },
  });
  new Gauge({
    name: 'outreach_survey_answers',
    help: 'Survey answers by kind, locale and country (all time).',
    labelNames: ['kind', 'locale', 'country'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      for (const r of await surveys()) if (r.score !== null) this.inc({ kind: r.kind, locale: r.locale, country: r.country }, r.count);
    },
  });
  new Gauge({
    name: 'outreach_survey_score_answers',
    help: 'Survey answers by kind and score: the score distribution (NPS 0-10, CSAT 1-5, CES 1-7).',
    labelNames: ['kind', 'score'] as const,
    registers: [reg],
    async collect() {
      this.reset();
      for (const r of await surveys()) if (r.score !== null) this.inc({ kind: r.kind, score: String(r.score) }, r.count);
    },
  });
  return reg;
}

export async function metricsRoutes(app: FastifyInstance, opts: { stats: OpsStats }): Promise<void> {
  const reg = apiMetricsRegistry(opts.stats);
  app.get('/metrics', {
    config: { scope: 'ops' },
    schema: {
      summary: 'Prometheus metrics: email counters and latency histograms of this process, ledger, enrollment and survey gauges of the whole engine',
      tags: ['ops'],
      security: [{ bearer: [] }],
      produces: ['text/plain'],
    },
  }, async (_req, reply) => {
    const text = (await processRegistry.metrics()).trimEnd() + '\n\n' + (await reg.metrics());
    return reply.type(processRegistry.contentType).send(text);
  });
}
