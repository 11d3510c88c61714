// `outreach template lint|render|preview`: check every template and locale, render one email to
// files, or browse all of them rendered with sample data. All three read the same templates folder as
// the send activity (or another one with --dir).
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { Command } from '../command';
import { parseFlags, requireFlag, UsageError } from '../args';
import { canonicalLocale } from '../../../activities/render/locale';
import {
  DEFAULT_TEMPLATES_DIR,
  formatLintProblem,
  sampleCustomer,
  sampleInput,
  TemplateError,
  TemplateRenderer,
  type RenderedEmail,
  type RenderInput,
} from '../../../activities/render';

function templatesDir(flag: unknown): string {
  const dir = typeof flag === 'string' && flag !== '' ? path.resolve(flag) : DEFAULT_TEMPLATES_DIR;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--dir: no such folder '${dir}'`);
  return dir;
}

export const templateLintCommand: Command = {
  name: 'template lint',
  summary: 'Check every email template in every locale: MJML, catalog keys, ICU syntax, placeholders, escaping.',
  usage: 'outreach template lint [--dir <templatesDir>]',
  async run(argv) {
    const { values } = parseFlags(argv, { dir: { type: 'string' } });
    const renderer = new TemplateRenderer({ templatesDir: templatesDir(values.dir) });
    const problems = renderer.lint();
    if (problems.length > 0) {
      process.stdout.write(problems.map(formatLintProblem).join('\n') + '\n');
      process.stderr.write(`template lint: ${problems.length} problem(s) in ${renderer.templatesDir}\n`);
      return 1;
    }
    const templates = renderer.templates();
    const pairs = templates.reduce((n, t) => n + renderer.locales(t).length, 0);
    process.stdout.write(`template lint: OK — ${templates.length} template(s), ${pairs} template/locale pair(s) in ${renderer.templatesDir}\n`);
    return 0;
  },
};

/** Reads a --data file: { customer?, links, data } (a template's sample.json has this shape). */
function readDataFile(file: string): { customer?: Record<string, unknown>; links?: Record<string, unknown>; data?: Record<string, unknown> } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RenderCommandError(`cannot read --data file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RenderCommandError(`--data file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RenderCommandError(`--data file ${file} must hold a JSON object { "customer"?, "links", "data" }`);
  return parsed as ReturnType<typeof readDataFile>;
}

class RenderCommandError extends Error {}

export const templateRenderCommand: Command = {
  name: 'template render',
  summary: 'Render one template in one locale to subject.txt, index.html and text.txt (or JSON on stdout).',
  usage: 'outreach template render <name> --locale <locale> [--data <file.json>] [--out <dir>] [--dir <templatesDir>]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { locale: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, dir: { type: 'string' } }, 1);
    const name = positionals[0];
    if (!name) throw new UsageError('missing template name');
    const locale = requireFlag(values, 'locale');
    if (!canonicalLocale(locale)) throw new UsageError(`--locale: "${locale}" is not a locale tag (BCP 47, e.g. en, de, pt-BR)`);
    const renderer = new TemplateRenderer({ templatesDir: templatesDir(values.dir) });
    let email: RenderedEmail;
    try {
      let input: RenderInput;
      if (typeof values.data === 'string') {
        const file = readDataFile(path.resolve(values.data));
        // A data file with a customer is taken as is (only id and email defaulted); without one, the
        // locale's sample customer stands in so the greeting looks like a real one.
        const customer = file.customer
          ? { id: 'cli', email: 'customer@example.com', ...file.customer, locale }
          : { ...sampleCustomer(renderer.templatesDir, locale, renderer.defaultLocale), locale };
        input = {
          template: name,
          customer: customer as RenderInput['customer'],
          links: (file.links ?? {}) as RenderInput['links'],
          data: file.data ?? {},
        };
      } else {
        if (!renderer.templates().includes(name)) renderer.locales(name); // throws UNKNOWN_TEMPLATE with the known names
        input = sampleInput(renderer.templatesDir, name, locale, renderer.defaultLocale);
      }
      email = renderer.render(input);
    } catch (err) {
      // Template errors, unreadable data files and a missing sample.json all end the same way: one
      // line naming the problem, exit 1, no stack trace.
      const message = err instanceof TemplateError || err instanceof RenderCommandError || err instanceof Error ? err.message : String(err);
      process.stderr.write(`outreach template render: ${message}\n`);
      return 1;
    }
    if (typeof values.out === 'string') {
      const out = path.resolve(values.out);
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'subject.txt'), email.subject + '\n');
      fs.writeFileSync(path.join(out, 'index.html'), email.html);
      fs.writeFileSync(path.join(out, 'text.txt'), email.text + '\n');
      process.stdout.write(`${email.template}/${email.locale}: wrote subject.txt, index.html, text.txt to ${out}\n`);
    } else {
      process.stdout.write(JSON.stringify(email, null, 2) + '\n');
    }
    return 0;
  },
};

// ---------------------------------------------------------------------------------------------------
// Preview server

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

interface PreviewItem {
  template: string;
  locale: string;
  email?: RenderedEmail;
  error?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const PAGE_STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse}td,th{border-bottom:1px solid #e4e7eb;padding:6px 10px;text-align:start;vertical-align:top}.err{color:#b42318}iframe{width:680px;height:900px;border:1px solid #cbd2d9}pre{white-space:pre-wrap;max-width:680px;background:#f4f5f7;padding:12px}.cols{display:flex;gap:24px;flex-wrap:wrap}`;

function renderItem(renderer: TemplateRenderer, template: string, locale: string): PreviewItem {
  try {
    return { template, locale, email: renderer.render(sampleInput(renderer.templatesDir, template, locale, renderer.defaultLocale)) };
  } catch (err) {
    return { template, locale, error: (err as Error).message };
  }
}

function listItems(renderer: TemplateRenderer): PreviewItem[] {
  return renderer.templates().flatMap((t) => renderer.locales(t).map((l) => renderItem(renderer, t, l)));
}

/**
 * Serves every template in every locale rendered with its sample data. A fresh renderer per request
 * picks up edits to templates and catalogs; unchanged MJML is still compiled only once per process.
 */
export async function startPreviewServer(opts: { templatesDir?: string; port?: number; host?: string } = {}): Promise<PreviewServer> {
  const dir = opts.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const app = Fastify({ logger: false });
  const fresh = () => new TemplateRenderer({ templatesDir: dir });
  const known = (renderer: TemplateRenderer, template: string, locale: string) => renderer.templates().includes(template) && renderer.locales(template).includes(locale);

  app.get('/', async (_req, reply) => {
    const items = listItems(fresh());
    const rows = items
      .map((i) => {
        const href = `/view/${encodeURIComponent(i.template)}/${encodeURIComponent(i.locale)}`;
        const what = i.email ? `<span dir="${i.email.dir}" lang="${escapeHtml(i.email.lang)}">${escapeHtml(i.email.subject)}</span>` : `<span class="err">${escapeHtml(i.error ?? '')}</span>`;
        return `<tr><td>${escapeHtml(i.template)}</td><td><a href="${href}">${escapeHtml(i.locale)}</a></td><td>${what}</td></tr>`;
      })
      .join('\n');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Email templates</title><style>${PAGE_STYLE}</style></head><body><h1>Email templates</h1><p>${items.length} template/locale pairs from ${escapeHtml(dir)}, rendered with each template's sample.json.</p><table><thead><tr><th>Template</th><th>Locale</th><th>Subject</th></tr></thead><tbody>\n${rows}\n</tbody></table></body></html>`;
  });

  app.get('/api/list', async () => listItems(fresh()).map((i) => ({ template: i.template, locale: i.locale, subject: i.email?.subject, lang: i.email?.lang, dir: i.email?.dir, error: i.error })));

  app.get<{ Params: { template: string; locale: string } }>('/view/:template/:locale', async (req, reply) => {
    const renderer = fresh();
    const { template, locale } = req.params;
    if (!known(renderer, template, locale)) return reply.code(404).type('text/plain; charset=utf-8').send(`no template ${template} in locale ${locale}\n`);
    const item = renderItem(renderer, template, locale);
    const base = `${encodeURIComponent(template)}/${encodeURIComponent(locale)}`;
    const body = item.email
      ? `<p><b>Subject:</b> <span dir="${item.email.dir}">${escapeHtml(item.email.subject)}</span><br><b>Preheader:</b> <span dir="${item.email.dir}">${escapeHtml(item.email.preheader)}</span><br><b>lang</b> ${escapeHtml(item.email.lang)}, <b>dir</b> ${item.email.dir}</p>` +
        `<div class="cols"><iframe title="HTML part" sandbox src="/html/${base}"></iframe><pre dir="${item.email.dir}">${escapeHtml(item.email.text)}</pre></div>`
      : `<p class="err">${escapeHtml(item.error ?? '')}</p>`;
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(template)} / ${escapeHtml(locale)}</title><style>${PAGE_STYLE}</style></head><body><p><a href="/">← all templates</a></p><h1>${escapeHtml(template)} / ${escapeHtml(locale)}</h1>${body}</body></html>`;
  });

  for (const part of ['html', 'text'] as const) {
    app.get<{ Params: { template: string; locale: string } }>(`/${part}/:template/:locale`, async (req, reply) => {
      const renderer = fresh();
      const { template, locale } = req.params;
      if (!known(renderer, template, locale)) return reply.code(404).type('text/plain; charset=utf-8').send(`no template ${template} in locale ${locale}\n`);
      const item = renderItem(renderer, template, locale);
      if (!item.email) return reply.code(500).type('text/plain; charset=utf-8').send(`${item.error}\n`);
      reply.type(part === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
      return part === 'html' ? item.email.html : item.email.text;
    });
  }

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 4400 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${host}:${port}`,
    close: () => app.close(),
  };
}

export const templatePreviewCommand: Command = {
  name: 'template preview',
  summary: 'Serve a local page with every template in every locale rendered from its sample data.',
  usage: 'outreach template preview [--port <n>] [--dir <templatesDir>]',
  async run(argv) {
    const { values } = parseFlags(argv, { port: { type: 'string' }, dir: { type: 'string' } });
    let port = 4400;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${values.port}")`);
    }
    const server = await startPreviewServer({ templatesDir: templatesDir(values.dir), port });
    process.stdout.write(`template preview: ${server.url}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
