// A restarted check-in (issue 14, defect 4): restarting a customer's check-ins after they were
// stopped must send again, not find the first generation's send-ledger rows and record "already sent".
import { randomUUID } from 'node:crypto';
import { startCheckin, stopCheckin, type CheckinDeps } from '../../client/api/checkins';
import { eventually, startFeedbackStack, type FeedbackStack } from '../surveys/support';

let s: FeedbackStack;
beforeAll(async () => {
  s = await startFeedbackStack({ env: { CHECKIN_CADENCE_DAYS: '3' } });
});
afterAll(async () => s?.stopAll());

it('sends check-ins again after a stop and a restart', async () => {
  const deps: CheckinDeps = { db: s.db, temporal: s.env.client, config: s.config, taskQueue: s.taskQueue };
  const id = `re-${randomUUID().slice(0, 8)}`;
  await s.call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, locale: 'en', timeZone: 'Europe/Paris', country: 'FR', consent: { marketing: true } });
  const mailTo = () => s.sink.messages.filter((m) => m.envelope.to[0] === `${id}@example.com`);
  let restartedAt = 0;
  let firstAfterRestart = 0;
  await s.withWorker(async () => {
    expect((await startCheckin(deps, id)).started).toBe(true);
    await s.skipUntil(() => mailTo().length >= 2, { step: '6 hours', max: 80, what: 'two check-ins' });
    expect(await stopCheckin(deps, id, 'customer asked for a break')).toBe(true);
    await eventually(async () => (await s.db.enrollment.findFirst({ where: { customerId: id, sequenceId: 'checkin' } }))?.status === 'cancelled', 'the check-ins stopped');
    restartedAt = await s.env.currentTimeMs();
    const again = await startCheckin(deps, id, { restart: true });
    expect(again.started).toBe(true);
    await s.skipUntil(() => mailTo().length >= 3, { step: '6 hours', max: 80, what: 'a check-in after the restart' });
    firstAfterRestart = await s.env.currentTimeMs();
  });
  // The restart's first check-in is due one cadence (3 days) after the restart, in business hours:
  // it is not recorded as "already sent" because the first generation sent check-ins 0 and 1.
  expect((firstAfterRestart - restartedAt) / 86_400_000).toBeLessThan(5.5);
  const rows = await s.db.sendLedger.findMany({ where: { customerId: id, status: 'sent' } });
  expect(rows).toHaveLength(3);
  expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  expect(new Set(mailTo().map((m) => m.parsed.messageId)).size).toBe(3);
}, 300_000);
