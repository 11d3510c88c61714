// Soak: one customer with an enrollment in a 30-day wait receives SOAK_EVENTS (default 100,000)
// unrelated events through the real API (batches of 500), on the Temporal dev server with a worker.
// Prints how fast they were accepted and dispatched, and the enrollment's history length before and
// after (the dispatcher signals only enrollments that listen to an event's name, so it must not move);
// then an exit event the enrollment does listen to ends it. For the history bound when an enrollment
// *does* hear that many events, see test/engine/history-bound.test.ts (SOAK_EVENTS=100000).
//   npx tsx bench/soak.ts
import { startStack } from '../test/support/stack';
import type { SequenceDefinition } from '../domain/sequence/types';
import { fmt, machine, withDevServer } from './support';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 100_000);
const BATCH = 500;
const PARALLEL = 4;

const hold: SequenceDefinition = {
  id: 'soak-hold', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' }, exit: { events: ['churned'] },
  steps: [{ id: 'hold', type: 'wait', duration: { days: 30 } }, { id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'transactional' }],
};

async function main() {
  console.log(`soak on ${machine()}: ${fmt(EVENTS)} unrelated events to one customer in a 30-day wait`);
  await withDevServer(async () => {
    const stack = await startStack({ sequences: [hold], env: { LOG_LEVEL: 'warn' } });
    try {
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
    } finally {
      await stack.stop();
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
