// Shared pieces of the engine's time-skipping tests.
import fs from 'node:fs';
import path from 'node:path';
import { parseSequence } from '../../domain/sequence/parse';
import type { SequenceDefinition, SequenceEvent } from '../../domain/sequence/types';
import { isSendAllowed, resolveCalendar } from '../../domain/calendar';
import { accountCalendar } from '../../activities/calendar';
import type { SkippingStack } from '../support/time-skipping';
import { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { stateQuery, type EnrollmentState } from '../../workflows/sequence/messages';
import type { WorkflowHandle } from '@temporalio/client';

export function shipped(name: string): SequenceDefinition {
  const file = path.join(__dirname, '..', '..', 'sequences', `${name}.yaml`);
  return parseSequence(fs.readFileSync(file, 'utf8'), file);
}

export interface CustomerSeed {
  id: string;
  timeZone?: string;
  country?: string;
  region?: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  consentMarketing?: boolean;
}

export async function seedCustomer(ts: SkippingStack, c: CustomerSeed) {
  return ts.db.customer.create({
    data: {
      id: c.id, email: `${c.id}@example.com`, givenName: 'Kim', familyName: 'Lee', locale: c.locale ?? 'en',
      timeZone: c.timeZone ?? null, country: c.country ?? null, region: c.region ?? null,
      consentMarketing: c.consentMarketing ?? true, attributes: JSON.stringify(c.attributes ?? {}),
    },
  });
}

let counter = 0;
/** Starts an enrollment the way the API does (Enrollment row + workflow), returning its handle. */
export async function enroll(ts: SkippingStack, definition: SequenceDefinition, customerId: string, opts: { entryKey?: string; trigger?: Partial<SequenceEvent>; historyLimit?: number } = {}) {
  const entryKey = opts.entryKey ?? 'once';
  const workflowId = `t-${definition.id}-${customerId}-${++counter}`;
  await ts.db.enrollment.create({ data: { workflowId, customerId, sequenceId: definition.id, sequenceVersion: definition.version, entryKey } });
  const trigger: SequenceEvent = { id: `trig-${workflowId}`, name: definition.trigger.event, occurredAt: new Date(await ts.env.currentTimeMs()).toISOString(), properties: {}, ...opts.trigger };
  return ts.env.client.workflow.start(sequenceWorkflow, {
    workflowId,
    taskQueue: ts.taskQueue,
    args: [{ definition, customerId, entryKey, trigger, historyLimit: opts.historyLimit }],
  });
}

/** Whether `iso` is inside the customer's business hours by the same rules the engine uses. */
export function inBusinessHours(ts: SkippingStack, place: { timeZone?: string; country?: string; region?: string }, iso: string): boolean {
  return isSendAllowed(Date.parse(iso), resolveCalendar(place, accountCalendar(ts.config)));
}

/** Polls the workflow's state query until `pred` holds (real time, bounded). */
export async function waitForState(handle: WorkflowHandle, pred: (s: EnrollmentState) => boolean, timeoutMs = 20_000): Promise<EnrollmentState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await handle.query(stateQuery);
    if (pred(s)) return s;
    if (Date.now() > deadline) throw new Error(`workflow state never matched within ${timeoutMs} ms; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
