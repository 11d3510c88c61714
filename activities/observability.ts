// Metrics the activities record (Prometheus, prom-client). One registry per process; the API's
// /metrics and the worker's metrics endpoint expose it. Labels never carry personal data.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'outreach_process_' });

export type EmailOutcome = 'sent' | 'failed' | 'deferred' | 'suppressed' | 'ambiguous' | 'already-sent';
export interface EmailLabels {
  template: string;
  locale: string;
  category: string;
}

const emails = new Counter({
  name: 'outreach_emails_total',
  help: 'Emails by outcome, template, locale and category (this process).',
  labelNames: ['outcome', 'template', 'locale', 'category'] as const,
  registers: [registry],
});

const renderSeconds = new Histogram({
  name: 'outreach_render_seconds',
  help: 'Time to render one email (precompiled MJML + Handlebars).',
  labelNames: ['template', 'locale'] as const,
  buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});

const sendSeconds = new Histogram({
  name: 'outreach_send_seconds',
  help: 'Time for the SMTP transaction of one email.',
  labelNames: ['category'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export function countEmail(outcome: EmailOutcome, labels: EmailLabels): void {
  emails.inc({ outcome, ...labels });
}

export function observeRender(seconds: number, labels: Pick<EmailLabels, 'template' | 'locale'>): void {
  renderSeconds.observe(labels, seconds);
}

export function observeSend(seconds: number, labels: Pick<EmailLabels, 'category'>): void {
  sendSeconds.observe(labels, seconds);
}
