// The send ledger under failure, and the operator's path for sends whose outcome is unknown:
// an attempt that dies between claiming the send and recording the SMTP outcome leaves the row
// "sending"; the retry marks it ambiguous and does not send. `outreach ledger list | resend |
// mark-sent` decide, with an audit record.
import { startStack, type Stack } from '../support/stack';
import { sendEmail, type SendRequest } from '../../activities/send/send-email';
import { createTransport, type MailTransport } from '../../activities/mail/transport';
import { emailHash } from '../../activities/send/policy';
import { commands } from '../../client/cli/commands';
import { ledgerCommands } from '../../client/cli/commands/ledger';
import { main } from '../../client/cli/main';
import { eventually, sendDeps } from './support';

// The lead registers these in client/cli/commands/index.ts; until then the test adds them itself.
for (const c of ledgerCommands) if (!commands.some((k) => k.name === c.name)) commands.push(c);

/** Runs `outreach <args>` in this process against the stack's database; captures the output. */
async function outreach(stack: Stack, args: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, {
    DATABASE_URL: stack.config.database.url,
    SMTP_URL: stack.config.smtp.url,
    OUTREACH_SECRET: stack.config.secret,
    PUBLIC_BASE_URL: stack.config.api.publicBaseUrl,
  });
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
}

const request = (id: string, step = 'welcome'): SendRequest => ({
  workflowId: `wf-${id}`, sequenceId: 'ops', stepId: step, iteration: 0, customerId: id, template: 'onboarding-welcome', category: 'transactional',
});

/**
 * A transport whose process "dies" mid-send: it hands the message to SMTP (or not) and then never
 * reports back, like a worker killed between the provider's 250 and the ledger update.
 */
function dyingTransport(real: MailTransport, deliver: boolean): MailTransport {
  return {
    sendMail: async (msg: Parameters<MailTransport['sendMail']>[0]) => {
      if (deliver) await real.sendMail(msg);
      return new Promise(() => undefined);
    },
  } as unknown as MailTransport;
}

describe('send ledger', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: false });
    for (const id of ['amb-1', 'amb-2', 'refused', 'bounced']) {
      await stack.db.customer.create({ data: { id, email: `${id}@example.com`, locale: 'en' } });
    }
  });
  afterAll(async () => stack?.stop());

  it('an attempt that died mid-send makes the retry mark it ambiguous, and nothing is resent', async () => {
    const deps = sendDeps(stack);
    // amb-1: the provider got it, then the process died. amb-2: it died before SMTP finished.
    void sendEmail({ ...deps, transport: dyingTransport(stack.transport, true) }, request('amb-1'));
    void sendEmail({ ...deps, transport: dyingTransport(stack.transport, false) }, request('amb-2'));
    await stack.sink.waitFor(1, 10_000);
    await eventually(async () => (await stack.db.sendLedger.count({ where: { status: 'sending' } })) === 2, 'two rows in flight');

    // Temporal's retry of each activity:
    for (const id of ['amb-1', 'amb-2']) {
      const r = await sendEmail(deps, request(id));
      expect(r.status).toBe('ambiguous');
      expect(r.reason).toMatch(/without a recorded SMTP outcome/);
      // ...and any later retry says the same without touching SMTP.
      expect((await sendEmail(deps, request(id))).status).toBe('ambiguous');
    }
    expect(stack.sink.messages).toHaveLength(1);
    const rows = await stack.db.sendLedger.findMany({ where: { status: 'ambiguous' } });
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.request).not.toBeNull(); // kept for an operator's resend
  });

  it('ledger list --status ambiguous shows them', async () => {
    const r = await outreach(stack, ['ledger', 'list', '--status', 'ambiguous']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.split('\t').slice(0, 3))).toEqual(expect.arrayContaining([
      ['wf-amb-1/welcome/0', 'ambiguous', 'attempts=1'],
      ['wf-amb-2/welcome/0', 'ambiguous', 'attempts=1'],
    ]));
    const json = await outreach(stack, ['ledger', 'list', '--json', '--limit', '1']);
    expect(JSON.parse(json.stdout)).toHaveLength(1);
  });

  it('mark-sent records the provider\'s acceptance; resend sends with the same Message-ID', async () => {
    // amb-1 reached the provider (an operator checked its logs): mark it sent.
    const marked = await outreach(stack, ['ledger', 'mark-sent', 'wf-amb-1/welcome/0']);
    expect(marked.code).toBe(0);
    expect(await stack.db.sendLedger.findUnique({ where: { key: 'wf-amb-1/welcome/0' } })).toMatchObject({ status: 'sent', request: null });

    // amb-2 never did: resend. Its workflow has moved on, so the command sends it itself.
    const resent = await outreach(stack, ['ledger', 'resend', 'wf-amb-2/welcome/0']);
    expect(resent.stderr).toBe('');
    expect(resent.code).toBe(0);
    expect(resent.stdout).toMatch(/^wf-amb-2\/welcome\/0: sent </);
    const [, second] = await stack.sink.waitFor(2, 10_000);
    const row = await stack.db.sendLedger.findUniqueOrThrow({ where: { key: 'wf-amb-2/welcome/0' } });
    expect(row).toMatchObject({ status: 'sent', attempts: 2, request: null });
    expect(second.envelope.to).toEqual(['amb-2@example.com']);
    expect(second.parsed.messageId).toBe(row.messageId);

    const audit = await stack.db.auditLog.findMany({ where: { action: { startsWith: 'ledger.' } }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => [a.action, a.subject])).toEqual([['ledger.mark-sent', 'wf-amb-1/welcome/0'], ['ledger.resend', 'wf-amb-2/welcome/0']]);

    // Nothing more to decide: both commands refuse, and nothing is sent.
    const again = await outreach(stack, ['ledger', 'resend', 'wf-amb-2/welcome/0']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is sent, not ambiguous/);
    expect((await outreach(stack, ['ledger', 'mark-sent', 'nope/x/0'])).stderr).toMatch(/no send ledger row with key "nope\/x\/0"/);
    expect(stack.sink.messages).toHaveLength(2);
  });

  it('resend --mark-only only marks the row for the workflow\'s next attempt', async () => {
    const key = 'wf-amb-3/welcome/0';
    await stack.db.customer.create({ data: { id: 'amb-3', email: 'amb-3@example.com', locale: 'en' } });
    await stack.db.sendLedger.create({ data: {
      key, workflowId: 'wf-amb-3', stepId: 'welcome', iteration: 0, customerId: 'amb-3', templateId: 'onboarding-welcome',
      locale: 'en', category: 'transactional', messageId: '<x@localhost>', status: 'ambiguous', attempts: 1,
    } });
    const r = await outreach(stack, ['ledger', 'resend', key, '--mark-only']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/marked retry/);
    expect((await stack.db.sendLedger.findUniqueOrThrow({ where: { key } })).status).toBe('retry');
    // The workflow's next attempt (e.g. after an operator reset it to before the step) sends.
    expect((await sendEmail(sendDeps(stack), request('amb-3'))).status).toBe('sent');
  });

  it('bad flags exit 2 naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ledger', 'list', '--status', 'lost'], /--status must be one of sending, sent, retry, ambiguous/],
      [['ledger', 'list', '--limit', 'many'], /--limit must be a whole number/],
      [['ledger', 'list', '--colour'], /Unknown option '--colour'/],
      [['ledger', 'resend'], /missing the ledger key to resend/],
      [['ledger', 'resend', 'a', 'b'], /unexpected argument 'b'/],
      [['ledger', 'mark-sent', 'a', '--force'], /Unknown option '--force'/],
    ];
    for (const [args, message] of cases) {
      const r = await outreach(stack, args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(message);
    }
  });

  it('a refused connection is retried (row "retry"), then sent once; nothing is suppressed', async () => {
    const deps = sendDeps(stack);
    const dead = createTransport({ url: 'smtp://127.0.0.1:1', from: stack.config.smtp.from, pool: false });
    await expect(sendEmail({ ...deps, transport: dead }, request('refused'))).rejects.toThrow(/ECONNREFUSED|connect/i);
    expect(await stack.db.sendLedger.findUnique({ where: { key: 'wf-refused/welcome/0' } })).toMatchObject({ status: 'retry', attempts: 1 });
    expect((await sendEmail(deps, request('refused'))).status).toBe('sent');
    expect(await stack.db.sendLedger.findUnique({ where: { key: 'wf-refused/welcome/0' } })).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await stack.db.suppression.count({ where: { emailHash: emailHash('refused@example.com') } })).toBe(0);
    expect(stack.sink.messages.filter((m) => m.envelope.to.includes('refused@example.com'))).toHaveLength(1);
  });

  it('a 5xx to AUTH or MAIL FROM (our account, not the address) is retried and suppresses nothing', async () => {
    stack.sink.reject = () => undefined;
    const deps = sendDeps(stack);
    const fakeAuthFailure = {
      sendMail: async () => {
        throw Object.assign(new Error('Invalid login: 535 5.7.8 Authentication failed'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
      },
    } as unknown as MailTransport;
    await expect(sendEmail({ ...deps, transport: fakeAuthFailure }, request('bounced'))).rejects.toThrow(/Authentication failed/);
    expect(await stack.db.sendLedger.findUnique({ where: { key: 'wf-bounced/welcome/0' } })).toMatchObject({ status: 'retry' });
    expect(await stack.db.suppression.count()).toBe(0);
  });
});
