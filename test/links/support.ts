// Helpers for the signed-link suites: what a mail security scanner does with an email (GET every
// link of ours), the help-request workflows a customer may have, and the customer's one-tap POST.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { helpRequestWorkflowId } from '../../client/api/routes/help';
import type { CaughtMessage } from '../../client/mail-catcher/mail-catcher';
import { header, hrefs, type FeedbackStack } from '../surveys/support';

/** Every link of an email that points at the engine (hrefs and the List-Unsubscribe URL). */
export function engineLinks(msg: CaughtMessage): string[] {
  const listUnsubscribe = /<(https?:[^>]+)>/.exec(header(msg, 'list-unsubscribe') ?? '')?.[1];
  return [...new Set([...hrefs(msg), ...(listUnsubscribe ? [listUnsubscribe] : [])])].filter((u) => u.startsWith('http://outreach.test/'));
}

/**
 * What Safe Links, Mimecast or Proofpoint do with a delivered email: a plain GET of every link,
 * following redirects, with a browser-like User-Agent and no cookies. Returns the distinct statuses
 * per kind of link (`/s/`, `/h/`, `/u/`, ...).
 */
export async function scanLikeAGateway(s: FeedbackStack, links: string[]): Promise<Record<string, number[]>> {
  const statuses: Record<string, number[]> = {};
  for (const link of links) {
    const url = link.replace('http://outreach.test', s.baseUrl);
    const res = await fetch(url, { redirect: 'follow', headers: { 'user-agent': 'Mozilla/5.0 (compatible; link-scanner)', accept: 'text/html,*/*' } });
    await res.text();
    const kind = new URL(link).pathname.slice(0, 3);
    statuses[kind] = [...new Set([...(statuses[kind] ?? []), res.status])].sort();
  }
  return statuses;
}

/** The help-request workflows that exist for this (customer, source email) around now (UTC days). */
export async function helpRequestsStarted(client: Client, key: string, customerId: string, sourceWorkflowId: string): Promise<string[]> {
  const now = Date.now();
  const ids = new Set([-1, 0, 1].map((d) => helpRequestWorkflowId(key, customerId, sourceWorkflowId, new Date(now + d * 86_400_000))));
  const found: string[] = [];
  for (const id of ids) {
    try {
      await client.workflow.getHandle(id).describe();
      found.push(id);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return found;
}

/** The form post a person's browser sends from a link's page (no comment). */
export function postForm(s: FeedbackStack, url: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return s.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Real time passes (the worker gets the chance to act on anything a request started). */
export const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
