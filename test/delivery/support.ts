// Helpers shared by the delivery suites (not a test file).
import path from 'node:path';
import type { Stack } from '../support/stack';
import { TemplateRenderer } from '../../activities/render';
import { loadAccount } from '../../domain/account';
import { DEFAULT_TEMPLATES_DIR } from '../../worker/runtime';
import type { SendDeps } from '../../activities/send/send-email';
import type { CaughtMessage } from '../../client/mail-catcher/mail-catcher';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws `what`). */
export async function eventually<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The header block of a raw message with folded lines unfolded (RFC 5322). */
export function headerBlock(raw: string): string {
  return raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n(?=[ \t])/g, '');
}

/** The path of the List-Unsubscribe URL of a caught message ("/u/<token>"). */
export function unsubscribePath(msg: CaughtMessage): string {
  const m = /^List-Unsubscribe: <https?:\/\/[^/]+(\/u\/[^>]+)>/m.exec(headerBlock(msg.raw));
  if (!m) throw new Error('no List-Unsubscribe header');
  return m[1];
}

/** Creates a customer and posts an event over the API; returns the started workflow ids. */
export async function enroll(stack: Stack, customerId: string, profile: Record<string, unknown>, event: string, eventId = `${event}-${customerId}`): Promise<string[]> {
  const put = await stack.call('PUT', `/v1/customers/${encodeURIComponent(customerId)}`, profile);
  if (put.status !== 200) throw new Error(`PUT customer: ${put.status} ${JSON.stringify(put.body)}`);
  const post = await stack.call('POST', '/v1/events', { id: eventId, customerId, name: event, occurredAt: new Date().toISOString() });
  if (post.status !== 202 && post.status !== 200) throw new Error(`POST event: ${post.status} ${JSON.stringify(post.body)}`);
  return post.body.started as string[];
}

/** The send path's dependencies on a stack's real parts, for calling sendEmail directly. */
export function sendDeps(stack: Pick<Stack, 'db' | 'transport' | 'config'>): SendDeps {
  return {
    db: stack.db,
    transport: stack.transport,
    config: stack.config,
    renderer: new TemplateRenderer(),
    account: loadAccount(path.join(DEFAULT_TEMPLATES_DIR, 'account.json'), stack.config.api.publicBaseUrl),
  };
}

/** Form-encoded POST (the way mailbox providers and browsers send it). */
export async function postForm(base: string, url: string, body: string | URLSearchParams, headers: Record<string, string> = {}) {
  const res = await fetch(base + url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof body === 'string' ? body : body.toString(),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
