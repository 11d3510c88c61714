// A connection lost in the middle of an SMTP transaction. Until the server has accepted DATA it holds
// nothing of the message, so the send is retried and delivered exactly once. Once it has accepted
// DATA (354) and the message went out, a connection that closes, resets or times out before the final
// reply leaves the outcome unknown: the server may hold the message. Then the ledger row is ambiguous,
// the step records it, nothing is retried, and an operator decides (`outreach ledger resend |
// mark-sent`). A definite reply after DATA decides as usual: 4xx is retried. The pooled transport (the
// default) and the unpooled one behave the same, with or without DKIM. The SMTP server is real
// (smtp-server on loopback), told to misbehave at one stage of one transaction.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Provider, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { resendLedgerEntry } from '../../activities/send/ledger';
import { createTransport } from '../../activities/mail/transport';
import { ConfigError } from '../../domain/config';
import { ScriptedSmtpServer, type Fault, type Stage } from './scripted-smtp';
import { enroll, headerBlock, sendDeps, sleep } from './support';

const hello: SequenceDefinition = {
  id: 'hello', version: 1,
  trigger: { event: 'hello' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

/** The client's socket timeout (SMTP_URL ?socketTimeout=): how long it waits for the final reply. */
const SOCKET_TIMEOUT_MS = 1500;

const messageIdOf = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(headerBlock(raw))?.[1];

/** A DKIM key for the signed variant: DKIM wraps the message stream the SMTP connection reads. */
function dkimEnv(dir: string): Record<string, string> {
  const keyFile = path.join(dir, 'dkim.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { DKIM_DOMAIN: 'example.test', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_PATH: keyFile };
}

describe.each([
  { transport: 'pooled', pool: true, dkim: false, provider: 'postgresql' },
  { transport: 'unpooled', pool: false, dkim: false, provider: 'sqlite' },
  { transport: 'unpooled', pool: false, dkim: true, provider: 'sqlite' },
] as Array<{ transport: string; pool: boolean; dkim: boolean; provider: Provider }>)('a lost SMTP connection, $transport transport, DKIM $dkim ($provider)', ({ pool, dkim, provider }) => {
  let stack: Stack;
  let smtp: ScriptedSmtpServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-smtp-loss-'));
  beforeAll(async () => {
    smtp = new ScriptedSmtpServer();
    const port = await smtp.listen();
    stack = await startStack({
      provider,
      sequences: [hello],
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}?socketTimeout=${SOCKET_TIMEOUT_MS}`,
        SMTP_POOL: String(pool),
        ...(dkim ? dkimEnv(dir) : {}),
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Enrolls a customer in the one-step sequence and waits for the workflow to finish. */
  async function sendStep(id: string) {
    const address = `${id}@example.com`;
    const [wf] = await enroll(stack, id, { email: address, locale: 'en' }, 'hello');
    const handle = stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(wf);
    const result = await handle.result();
    const history = await handle.fetchHistory();
    const scheduled = new Set(
      history.events!
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendStepEmail')
        .map((e) => String(e.eventId)),
    );
    // Temporal records one "started" event per activity, with the attempt that ended it.
    const activityAttempts = history.events!
      .filter((e) => e.activityTaskStartedEventAttributes && scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)))
      .map((e) => e.activityTaskStartedEventAttributes!.attempt);
    const row = await stack.db.sendLedger.findFirstOrThrow({ where: { customerId: id } });
    return { address, outcomes: result.stepsDone.filter((s) => s.type === 'send').map((s) => s.outcome), activityAttempts, row };
  }

  it.each([
    ['closes the connection', 'close'],
    ['resets the connection', 'reset'],
    ['never replies (client socket timeout)', 'hang'],
  ] as const)('after receiving the whole message the server %s: ambiguous, one DATA transaction, not retried', async (_what, fault: Fault) => {
    smtp.arm('after message', fault);
    const { address, outcomes, activityAttempts, row } = await sendStep(`after-message-${fault}`);

    // The server received the whole message exactly once and never answered it: no second copy.
    const txs = smtp.transactionsTo(address);
    expect(txs.map((t) => t.outcome)).toEqual([fault]);
    expect(messageIdOf(txs[0].raw)).toBe(row.messageId);
    expect(/^DKIM-Signature:/im.test(headerBlock(txs[0].raw))).toBe(dkim);
    expect(outcomes).toEqual(['ambiguous']);
    expect(row).toMatchObject({ status: 'ambiguous', attempts: 1 });
    expect(row.error).toMatch(/^no final reply after the message was sent \(DATA accepted\): .+; the server may hold it, so it is not retried: an operator decides/);
    // Kept for the operator's resend.
    expect(row.request).not.toBeNull();
    // One activity attempt, and it returned: Temporal does not retry it.
    expect(activityAttempts).toEqual([1]);
  });

  it('an ambiguous send is resent only by an operator, with the same Message-ID', async () => {
    smtp.arm('after message', 'close');
    const { address, row } = await sendStep('operator-resend');
    expect(row.status).toBe('ambiguous');

    const result = await resendLedgerEntry(sendDeps(stack), row.key);
    expect(result).toMatchObject({ status: 'sent', messageId: row.messageId });
    const txs = smtp.transactionsTo(address);
    expect(txs.map((t) => t.outcome)).toEqual(['close', 'accepted']);
    expect(txs.map((t) => messageIdOf(t.raw))).toEqual([row.messageId, row.messageId]);
    expect(await stack.db.sendLedger.findUniqueOrThrow({ where: { key: row.key } })).toMatchObject({ status: 'sent', attempts: 2, request: null });
  });

  it.each([
    ['MAIL FROM', 'close'],
    ['RCPT TO', 'close'],
    ['RCPT TO', 'reset'],
    ['after RCPT TO', 'close'],
  ] as const)('the connection is lost at %s (%s), before DATA was accepted: retried, delivered exactly once', async (stage: Stage, fault: Fault) => {
    smtp.arm(stage, fault);
    const before = smtp.commands.length;
    const { address, outcomes, row } = await sendStep(`lost-${stage.replace(/ /g, '-').toLowerCase()}-${fault}`);

    expect(outcomes).toEqual(['sent']);
    expect(row).toMatchObject({ status: 'sent', error: null, request: null });
    // Two transactions were started (the lost one and the retry), one DATA transaction happened.
    expect(smtp.commands.slice(before).filter((c) => c === 'MAIL FROM')).toHaveLength(2);
    const txs = smtp.transactionsTo(address);
    expect(txs.map((t) => t.outcome)).toEqual(['accepted']);
    expect(messageIdOf(txs[0].raw)).toBe(row.messageId);
  });

  it('the connection is lost at RCPT TO on a new connection: the activity fails and Temporal retries it', async () => {
    // A pooled connection that sent before moves a message the server dropped before DATA to another
    // connection by itself (the cases above); a new one reports the loss. Idle pooled connections
    // end after the client's socket timeout.
    if (pool) await sleep(SOCKET_TIMEOUT_MS + 1000);
    smtp.arm('RCPT TO', 'close');
    const { address, outcomes, activityAttempts, row } = await sendStep('lost-rcpt-new-connection');

    expect(outcomes).toEqual(['sent']);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(activityAttempts).toEqual([2]);
    expect(smtp.transactionsTo(address).map((t) => t.outcome)).toEqual(['accepted']);
  });

  it.each([
    [451, '4.3.0 Try again later'],
    [421, '4.4.2 Closing connection'],
  ])('the server answers %d after receiving the message: not accepted, retried, delivered exactly once', async (code, message) => {
    smtp.arm('after message', { code, message });
    const { address, outcomes, activityAttempts, row } = await sendStep(`reply-${code}`);

    expect(outcomes).toEqual(['sent']);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(activityAttempts).toEqual([2]);
    expect(smtp.transactionsTo(address).map((t) => t.outcome)).toEqual([code, 'accepted']);
  });
});

it("SMTP_URL's ?socketTimeout= must be a whole number of milliseconds above 0", () => {
  const smtp = (url: string) => ({ url, from: 'Outreach <outreach@localhost>', pool: true });
  for (const bad of ['abc', '0', '-5', '1.5', '']) {
    expect(() => createTransport(smtp(`smtp://127.0.0.1:2525?socketTimeout=${bad}`))).toThrow(ConfigError);
    expect(() => createTransport(smtp(`smtp://127.0.0.1:2525?socketTimeout=${bad}`))).toThrow(`SMTP_URL socketTimeout=${bad} must be a whole number of milliseconds above 0`);
  }
  const transport = createTransport(smtp('smtp://127.0.0.1:2525?ignoreTLS=true&socketTimeout=45000'));
  expect((transport.transporter as unknown as { options: { socketTimeout: number } }).options.socketTimeout).toBe(45000);
  transport.close();
});
