// SMTP outage in short form (5 s, 10 customers, three sends each) against the shared dev server:
// the worker runs as its own process; afterwards every email is at the sink exactly once.
// The full scenarios: `npx tsx bench/faults.ts` (docs/faults.md).
import { smtpOutage } from '../../bench/faults/scenarios';

test('an SMTP outage delays sends but every email arrives exactly once', async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through `npm test`');
  const s = await smtpOutage({ temporalAddress: address, customers: 10, outageSeconds: 5 });
  expect(s.violations).toEqual([]);
  expect(s.due).toBe(30);
  expect(s.duplicates).toBe(0);
  expect(s.distinct).toBe(s.sent + s.ambiguousDelivered);
  expect(s.sent + s.ambiguous).toBe(30);
  expect(s.pending).toBe(0);
  expect(s.ok).toBe(true);
}, 90_000);
