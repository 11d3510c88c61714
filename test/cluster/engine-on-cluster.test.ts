// The engine unchanged on a real multi-service Temporal cluster (`outreach cluster`: PostgreSQL
// persistence and SQL visibility; frontend, two history processes, matching and worker as separate
// processes), with PostgreSQL as the engine's own database, two `outreach worker` processes and two
// `outreach api` processes. Customers are enrolled through both APIs into a three-send sequence;
// while their sequences run, one history process is killed (SIGKILL) and restarted. Every email must
// go out exactly once (or be marked ambiguous in the ledger), and every event must be dispatched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemporalCluster } from '../../worker/support/cluster';
import { MailCatcher } from '../../client/mail-catcher/mail-catcher';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { startEngineOnCluster, type EngineOnCluster } from '../support/cluster-engine';

const N = 40;
const SENDS = 3;
const SEQUENCE: SequenceDefinition = {
  id: 'cluster-three', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'one', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'pause-1', type: 'wait', duration: { minutes: 1 } },
    { id: 'two', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    { id: 'pause-2', type: 'wait', duration: { minutes: 1 } },
    { id: 'three', type: 'send', template: 'onboarding-tips-2', category: 'transactional' },
  ],
};
// Always open, no spreading: the test is about delivery, not the calendar.
const ENGINE_ENV = { SEND_WINDOWS: '00:00-24:00', WORKING_DAYS: '1,2,3,4,5,6,7', DEFAULT_TIME_ZONE: 'UTC', SPREAD_SENDS: 'false', LOG_LEVEL: 'warn', MARKETING_CAP: 'off' };

async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the engine on a multi-service Temporal cluster', () => {
  let dir: string;
  let cluster: TemporalCluster;
  let engine: EngineOnCluster;
  const sink = new MailCatcher();

  beforeAll(async () => {
    const serverDir = process.env.TEMPORAL_SERVER_DIR;
    if (!serverDir) throw new Error('TEMPORAL_SERVER_DIR is not set: run the tests through `npm test` (its global setup finds or builds the Temporal server)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-cluster-'));
    cluster = await TemporalCluster.start({ dir, serverDir });
    const smtpPort = await sink.listen();
    engine = await startEngineOnCluster({ cluster, dir, sequences: [SEQUENCE], smtpUrl: `smtp://127.0.0.1:${smtpPort}`, env: ENGINE_ENV });
  }, 600_000);

  afterAll(async () => {
    await engine?.stop();
    await sink.close();
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('sends every email exactly once through a history process killed and restarted mid-run', async () => {
    const { call, db } = engine;
    const ids = Array.from({ length: N }, (_, i) => `cl-${i}`);
    for (const [i, id] of ids.entries()) {
      const put = await call(i, 'PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, givenName: 'Ada', locale: ['en', 'de', 'ja', 'pt-BR'][i % 4] });
      expect(put.status).toBe(200);
    }
    const signup = async (i: number) => {
      const r = await call(i, 'POST', '/v1/events', { id: `${ids[i]}-signup`, customerId: ids[i], name: 'signup', occurredAt: new Date().toISOString() });
      expect(r.status).toBe(202);
      return r.body.id as string;
    };
    // The first half, then the kill once some emails are out and most sequences are mid-way.
    const events: string[] = [];
    for (let i = 0; i < N / 2; i++) events.push(await signup(i));
    await until(async () => sink.received >= N / 2, 'the first emails', 180_000);
    await cluster.kill('history-1');
    // The second half arrives while a history process is down: accepted and stored, dispatched later.
    for (let i = N / 2; i < N; i++) events.push(await signup(i));
    await new Promise((r) => setTimeout(r, 5_000));
    cluster.restart('history-1');

    await until(async () => sink.received >= N * SENDS, `${N * SENDS} emails (have ${sink.received})`, 420_000);
    // Every event dispatched and every enrollment started once.
    for (const [i, id] of events.entries()) {
      const st = await until(async () => {
        const r = await call(i, 'GET', `/v1/events/${encodeURIComponent(id)}`);
        return r.body.status === 'dispatched' ? r.body : undefined;
      }, `event ${id} dispatched`, 60_000);
      expect(st.started).toHaveLength(1);
    }
    expect(await db.enrollment.count({ where: { sequenceId: SEQUENCE.id } })).toBe(N);
    // The ledger: one row per (customer, step), sent or, where the outcome is unknown, ambiguous.
    const rows = await db.sendLedger.findMany({ where: { status: { in: ['sent', 'ambiguous'] } } });
    expect(rows).toHaveLength(N * SENDS);
    expect(new Set(rows.map((r) => `${r.customerId}/${r.stepId}`)).size).toBe(N * SENDS);
    // The sink: one message per ledger row, none twice (an ambiguous row may have reached it once).
    await new Promise((r) => setTimeout(r, 3_000)); // late duplicates would arrive now
    const byRecipient = new Map<string, number>();
    const messageIds = new Set<string>();
    for (const m of sink.messages) {
      for (const to of m.envelope.to) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
      messageIds.add(String(m.parsed.messageId));
    }
    expect(sink.messages).toHaveLength(N * SENDS);
    expect(messageIds.size).toBe(N * SENDS);
    for (const id of ids) expect({ id, n: byRecipient.get(`${id}@example.com`) }).toEqual({ id, n: SENDS });
  }, 900_000);
});
