// Shared helpers for the survey and check-in suites: the time-skipping stack plus the HTTP API on
// the same Temporal test server (buildApi gets env.client), a local webhook receiver, and helpers
// that let time pass until an email arrives.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { startTimeSkipping, type SkippingStack } from '../support/time-skipping';
import { buildApi } from '../../client/api/server';
import { createApiKey } from '../../client/api/auth';
import { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { CaughtMessage } from '../../client/mail-catcher/mail-catcher';

export interface WebhookCall {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A local HTTP server that records JSON POSTs; `failNext` answers the next N requests with 503. */
export async function startWebhookReceiver(): Promise<{ url: string; calls: WebhookCall[]; failNext(n: number): void; close(): Promise<void> }> {
  const calls: WebhookCall[] = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.writeHead(503).end('try later');
        return;
      }
      calls.push({ headers: req.headers, body: JSON.parse(data || '{}') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/outreach`,
    calls,
    failNext: (n) => (failures = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface FeedbackStack extends SkippingStack {
  api: FastifyInstance;
  baseUrl: string;
  keys: { ops: string; ingest: string };
  /** GET/POST against the API; absolute email links (http://outreach.test/...) are rewritten. */
  fetch(url: string, init?: RequestInit): Promise<{ status: number; text: string; headers: Headers }>;
  /**
   * What a person's click on a survey or help link does in a browser: GET the link, then POST the
   * page's one-tap form (its script does so at once; test/links/links-browser.test.ts proves that in
   * Chromium). An error page of the GET is returned as it is.
   */
  click(url: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  /** JSON with the ops+ingest key. */
  call(method: string, url: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index freely
  /** Lets (test-server) time pass in steps until `predicate` holds. */
  skipUntil(predicate: () => boolean | Promise<boolean>, opts?: { step?: string; max?: number; what?: string }): Promise<void>;
  /** Waits (skipping time) for the sink to hold at least `n` messages, and returns them. */
  mail(n: number, opts?: { step?: string; max?: number }): Promise<CaughtMessage[]>;
  stopAll(): Promise<void>;
}

export async function startFeedbackStack(opts: { env?: Record<string, string>; sequences?: SequenceDefinition[] } = {}): Promise<FeedbackStack> {
  const s = await startTimeSkipping({ env: { ACCOUNT_OWNER_EMAIL: 'owner@acme.example', ...opts.env } });
  const api = buildApi({ config: s.config, db: s.db, temporal: s.env.client, registry: new SequenceRegistry(opts.sequences ?? []), taskQueue: s.taskQueue });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const keys = {
    ops: (await createApiKey(s.db, 'ops', ['ops', 'ingest'])).key,
    ingest: (await createApiKey(s.db, 'ingest', ['ingest'])).key,
  };
  const local = (url: string) => url.replace(/^https?:\/\/outreach\.test/, baseUrl).replace(/^\//, `${baseUrl}/`);
  const stack: FeedbackStack = {
    ...s,
    api,
    baseUrl,
    keys,
    async fetch(url, init) {
      const res = await fetch(local(url), { redirect: 'manual', ...init });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async click(url, headers = {}) {
      const page = await stack.fetch(url, { headers });
      if (page.status !== 200) return page;
      const form = /<form method="post" action="([^"]*)" data-auto-submit>([\s\S]*?)<\/form>/.exec(page.text);
      if (!form) throw new Error(`the page of ${url} has no one-tap form`);
      const fields = new URLSearchParams();
      for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.append(decodeEntities(m[1]), decodeEntities(m[2]));
      return stack.fetch(new URL(decodeEntities(form[1]), local(url)).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: fields.toString(),
      });
    },
    async call(method, url, body, key = keys.ops) {
      const res = await fetch(local(url), {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: json };
    },
    async skipUntil(predicate, o = {}) {
      const max = o.max ?? 200;
      for (let i = 0; i < max; i++) {
        if (await predicate()) return;
        await s.env.sleep(o.step ?? '1 hour');
        // Let activities that the skip made due run (they take real milliseconds).
        await new Promise((r) => setTimeout(r, 50));
      }
      if (await predicate()) return;
      throw new Error(`timed out skipping time until ${o.what ?? 'the condition held'}`);
    },
    async mail(n, o = {}) {
      await stack.skipUntil(() => s.sink.messages.length >= n, { ...o, what: `${n} messages arrived (have ${s.sink.messages.length})` });
      // Give SMTP a moment for a message that is being delivered right now.
      return s.sink.messages.slice(0, n);
    },
    async stopAll() {
      await api.close();
      await s.stop();
    },
  };
  return stack;
}

/** HTML character references decoded (Handlebars writes `=` as `&#x3D;`, the pages `'` as `&#39;`). */
export function decodeEntities(s: string): string {
  return s.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
}

/** The hrefs of an email's HTML, entities decoded. */
export function hrefs(msg: CaughtMessage): string[] {
  return [...String(msg.parsed.html).matchAll(/href="([^"]+)"/g)].map((m) => decodeEntities(m[1]));
}

/** The score links of a survey email: score -> URL. */
export function scoreLinks(msg: CaughtMessage): Map<number, string> {
  const links = new Map<number, string>();
  for (const h of hrefs(msg)) {
    const m = /\/s\/[^?]+\?score=(\d+)$/.exec(h);
    if (m) links.set(Number(m[1]), h);
  }
  return links;
}

/** The first href matching `re` in the email's HTML. */
export function linkIn(msg: CaughtMessage, re: RegExp): string {
  const found = hrefs(msg).find((h) => re.test(h));
  if (!found) throw new Error(`no link matching ${re} in "${msg.parsed.subject}"`);
  return found;
}

export const header = (msg: CaughtMessage, name: string): string | undefined => {
  const v = msg.parsed.headers.get(name.toLowerCase());
  return v === undefined ? undefined : String(v);
};

/** Polls `fn` (real time) until it returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
