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

/**
 * Serves this process's registry in Prometheus text format on `host:port` (any path), for workers
 * that run apart from the API (WORKER_METRICS_PORT). Unauthenticated: bind it to a private address.
 */
export async function startMetricsServer(port: number, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref(); // never keeps a stopping process alive
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
