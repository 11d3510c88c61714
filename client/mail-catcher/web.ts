// The mail catcher's web page: every caught message with its headers, HTML (sandboxed iframe) and
// plain-text parts. JSON at /api/messages for scripts.
import Fastify, { type FastifyInstance } from 'fastify';
import type { MailCatcher, CaughtMessage } from './mail-catcher';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function summary(m: CaughtMessage) {
  return {
    id: m.id,
    receivedAt: m.receivedAt,
    from: m.parsed.from?.text ?? '',
    to: m.envelope.to,
    subject: m.parsed.subject ?? '',
    messageId: m.parsed.messageId ?? '',
    hasHtml: typeof m.parsed.html === 'string',
    hasText: typeof m.parsed.text === 'string',
  };
}

export function createMailCatcherWeb(catcher: MailCatcher): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/api/messages', async () => catcher.messages.map(summary));
  app.get<{ Params: { id: string } }>('/api/messages/:id', async (req, reply) => {
    const m = catcher.messages.find((x) => x.id === Number(req.params.id));
    if (!m) return reply.code(404).send({ error: 'no such message' });
    return { ...summary(m), headers: Object.fromEntries(m.parsed.headerLines.map((h) => [h.key, h.line])), html: m.parsed.html || null, text: m.parsed.text ?? null };
  });
  app.get<{ Params: { id: string } }>('/messages/:id/html', async (req, reply) => {
    const m = catcher.messages.find((x) => x.id === Number(req.params.id));
    if (!m) return reply.code(404).type('text/plain').send('no such message');
    // The email's own HTML, shown inside a sandboxed iframe on the message page.
    return reply.type('text/html; charset=utf-8').header('Content-Security-Policy', "script-src 'none'").send(m.parsed.html || '');
  });
  app.get<{ Params: { id: string } }>('/messages/:id', async (req, reply) => {
    const m = catcher.messages.find((x) => x.id === Number(req.params.id));
    if (!m) return reply.code(404).type('text/plain').send('no such message');
    const headers = m.parsed.headerLines.map((h) => `<div><b>${esc(h.key)}</b>: ${esc(h.line.slice(h.key.length + 1))}</div>`).join('');
    return reply.type('text/html; charset=utf-8').send(page(`Message ${m.id}`, `
      <p><a href="/">&larr; all messages</a></p>
      <h2>${esc(m.parsed.subject)}</h2>
      <details><summary>Headers</summary><div class="hdr">${headers}</div></details>
      <h3>HTML part</h3><iframe sandbox src="/messages/${m.id}/html"></iframe>
      <h3>Plain-text part</h3><pre>${esc(m.parsed.text)}</pre>`));
  });
  app.get('/', async (_req, reply) => {
    const rows = [...catcher.messages].reverse().map((m) => {
      const s = summary(m);
      return `<tr><td>${s.id}</td><td>${esc(s.receivedAt)}</td><td>${esc(s.to.join(', '))}</td><td><a href="/messages/${s.id}">${esc(s.subject)}</a></td></tr>`;
    });
    return reply.type('text/html; charset=utf-8').send(page('Mail catcher', `
      <p>${catcher.messages.length} message(s) caught on SMTP port ${catcher.port}. <a href="/">Refresh</a></p>
      <table><thead><tr><th>#</th><th>received</th><th>to</th><th>subject</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="4">No mail yet.</td></tr>'}</tbody></table>`));
  });
  return app;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
    body{font:14px system-ui,sans-serif;margin:2rem;color:#222} table{border-collapse:collapse;width:100%}
    td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left} iframe{width:100%;height:60vh;border:1px solid #ccc}
    pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem} .hdr{font-family:monospace;font-size:12px}
  </style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}
