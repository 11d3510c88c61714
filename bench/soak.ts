// Soak: one customer with an enrollment in a 30-day wait receives SOAK_EVENTS (default 100,000)
// unrelated events through the real API (batches of 500), on the Temporal dev server with a worker.
// Prints how fast they were accepted and dispatched, and the enrollment's history length before and
// after (the dispatcher signals only enrollments that listen to an event's name, so it must not move);
// then an exit event the enrollment does listen to ends it. For the history bound when an enrollment
// *does* hear that many events, the second part: another customer's enrollment waits SOAK_WAIT_MINUTES
// (default 10) and hears SOAK_EVENTS `login` events (its goal) signalled straight to it one after another
// (as the dispatcher's lane for one customer sends them),
// on the same dev server in real time: it must continue as new inside the wait (every run's history
// stays near the engine's hand-over limit of 2,000 events, far below Temporal's 51,200 and the issue's
// 10,000), and its email must still go out at the deadline (send windows open all week, so on time
// means within seconds). test/engine/history-bound.test.ts proves the same on the time-skipping
// server with a 30-day wait.
//   npx tsx bench/soak.ts
import { startStack, type Stack } from '../test/support/stack';
import { runChain } from '../test/support/run-chain';
import { eventSignal } from '../workflows/sequence/messages';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, withDevServer } from './support';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 100_000);
const WAIT_MINUTES = Number(process.env.SOAK_WAIT_MINUTES ?? 10);
/** Which parts to run: `unrelated`, `heard` (default both). */
const PARTS = (process.env.SOAK_PARTS ?? 'unrelated,heard').split(',');
const BATCH = 500;
const PARALLEL = 4;

const hold: SequenceDefinition = {
  id: 'soak-hold', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' }, exit: { events: ['churned'] },
  steps: [{ id: 'hold', type: 'wait', duration: { days: 30 } }, { id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'transactional' }],
};

const heard: SequenceDefinition = {
  id: 'soak-heard', version: 1, trigger: { event: 'trial_started' }, entry: { mode: 'oncePerCustomer' }, goal: { event: 'login' },
  steps: [{ id: 'hold', type: 'wait', duration: { minutes: WAIT_MINUTES } }, { id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'transactional' }],
};

/** Part two: SOAK_EVENTS events the enrollment listens to, signalled during a real-time wait. */
async function heardEvents(stack: Stack): Promise<void> {
  await stack.call('PUT', '/v1/customers/heard', { email: 'heard@example.com' });
  const start = await stack.call('POST', '/v1/events', { id: 'heard-trial', customerId: 'heard', name: 'trial_started', occurredAt: new Date().toISOString() });
  const id = start.body.started[0] as string;
  const handle = stack.temporal.workflow.getHandle(id);
  const deadline = Date.now() + WAIT_MINUTES * 60_000;
  const t0 = Date.now();
  const at = new Date().toISOString();
  // One signal at a time, as the dispatcher's lane for a customer sends them.
  for (let i = 0; i < EVENTS; i++) await handle.signal(eventSignal, { id: `login-${i}`, name: 'login', occurredAt: at, properties: {} });
  const signalledIn = (Date.now() - t0) / 1000;
  const late = Date.now() > deadline;
  const result = (await handle.result()) as { status: string; stepsDone: Array<{ stepId: string; outcome: string; finishedAt: string }> };
  const lengths = (await runChain(stack.temporal, id)).map((r) => r.events);
  const sent = result.stepsDone.find((s) => s.stepId === 'hello');
  const lateBy = sent ? (Date.parse(sent.finishedAt) - deadline) / 1000 : NaN;
  console.log(`heard: ${fmt(EVENTS)} listened-to events signalled in ${fmt(signalledIn, 1)} s (${fmt(EVENTS / signalledIn)}/s)${late ? ' (after the deadline: raise SOAK_WAIT_MINUTES)' : ''}`);
  console.log(`heard: ${lengths.length} runs, longest history ${fmt(Math.max(...lengths))} events (limit 10,000), total ${fmt(lengths.reduce((a, b) => a + b, 0))}`);
  console.log(`heard: the run ended ${result.status}; hello ${sent?.outcome ?? 'not sent'} ${fmt(lateBy, 1)} s after the ${WAIT_MINUTES}-minute deadline`);
}

async function unrelatedEvents(stack: Stack): Promise<void> {
  await stack.call('PUT', '/v1/customers/soak', { email: 'soak@example.com' });
  const start = await stack.call('POST', '/v1/events', { id: 'soak-signup', customerId: 'soak', name: 'signup', occurredAt: new Date().toISOString() });
  const handle = stack.temporal.workflow.getHandle(start.body.started[0]);
  await new Promise((r) => setTimeout(r, 2_000));
  const before = (await handle.fetchHistory()).events!.length;
  const t0 = Date.now();
  let next = 0;
  let accepted = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (;;) {
      const from = next;
      next += BATCH;
      if (from >= EVENTS) return;
      const events = Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, i) => ({
        id: `view-${from + i}`, customerId: 'soak', name: 'page_view', occurredAt: new Date().toISOString(), properties: { path: `/p/${(from + i) % 97}` },
      }));
      const r = await stack.call('POST', '/v1/events', { events });
      accepted += r.body.accepted ?? 0;
    }
  }));
  const acceptedIn = (Date.now() - t0) / 1000;
  for (;;) {
    if ((await stack.db.eventOutbox.count()) === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const dispatchedIn = (Date.now() - t0) / 1000;
  const after = (await handle.fetchHistory()).events!.length;
  const exit = await stack.call('POST', '/v1/events', { id: 'soak-churned', customerId: 'soak', name: 'churned', occurredAt: new Date().toISOString() });
  const result = await handle.result();
  console.log(`accepted ${fmt(accepted)} events in ${fmt(acceptedIn, 1)} s (${fmt(accepted / acceptedIn)} events/s); all dispatched after ${fmt(dispatchedIn, 1)} s (${fmt(accepted / dispatchedIn)} events/s through one customer's lane)`);
  console.log(`enrollment history: ${before} events before, ${after} after (${after - before} added by ${fmt(accepted)} unrelated events)`);
  console.log(`exit event ${exit.status}: the enrollment ended ${result.status} (${result.exitReason}); emails sent: ${stack.sink.received}`);
}

async function main() {
  console.log(`soak on ${machine()}: ${fmt(EVENTS)} events, parts ${PARTS.join(', ')}`);
  await withDevServer(async () => {
    const stack = await startStack({ sequences: [hold, heard], env: { LOG_LEVEL: 'warn', SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', SPREAD_SENDS: 'false' } });
    try {
      if (PARTS.includes('unrelated')) await unrelatedEvents(stack);
      if (PARTS.includes('heard')) await heardEvents(stack);
    } finally {
      await stack.stop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
