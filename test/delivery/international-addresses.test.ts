// Internationalized (RFC 6531/6532) and quoted addresses, end to end: the API accepts them as written,
// the worker sends to them, and the project's mail catcher receives the message. A relay in front of
// the catcher records the envelope exactly as it crosses the wire (the catcher itself shows
// punycode domains decoded) and can hide SMTPUTF8 from the EHLO reply, so the same real server
// also plays one that lacks the extension.
import net from 'node:net';
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import type { sequenceWorkflow } from '../../workflows/sequence/workflow';
import { eventually, headerBlock } from './support';

const hello: SequenceDefinition = {
  id: 'idn-hello', version: 1,
  trigger: { event: 'hello' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

/** A TCP relay to the SMTP sink that records both directions and may hide SMTPUTF8 from EHLO. */
class SmtpWire {
  /** What clients sent, per connection (commands and message data). */
  readonly fromClient: string[] = [];
  /** What the server answered (after any rewriting), per connection. */
  readonly fromServer: string[] = [];
  hideSmtpUtf8 = false;
  target = 0;
  private readonly server = net.createServer((client) => {
    const n = this.fromClient.push('') - 1;
    this.fromServer.push('');
    const upstream = net.connect(this.target, '127.0.0.1');
    client.on('data', (d: Buffer) => {
      this.fromClient[n] += d.toString('utf8');
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      let text = d.toString('utf8');
      if (this.hideSmtpUtf8) text = text.replace(/^250-SMTPUTF8\r\n/m, '');
      this.fromServer[n] += text;
      client.write(text);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The connection whose RCPT TO names `recipient` as sent: its MAIL FROM, RCPT TO and EHLO reply. */
  session(recipient: string) {
    const i = this.fromClient.findIndex((t) => t.includes(`RCPT TO:<${recipient}>`));
    if (i < 0) return undefined;
    const text = this.fromClient[i]!;
    return {
      mailFrom: /^MAIL FROM:.*$/m.exec(text)?.[0].replace(/\r$/, ''),
      rcptTo: [...text.matchAll(/^RCPT TO:.*$/gm)].map((m) => m[0].replace(/\r$/, '')),
      serverReplies: this.fromServer[i]!,
    };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('internationalized and quoted addresses, end to end', () => {
  let stack: Stack;
  const wire = new SmtpWire();

  beforeAll(async () => {
    const port = await wire.listen();
    // One connection per message, so each test decides what the server offers in its EHLO.
    stack = await startStack({ sequences: [hello], env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_POOL: 'false' } });
    wire.target = stack.sink.port;
  });
  afterAll(async () => {
    await stack?.stop();
    await wire.close();
  });

  /** PUT the customer (must be accepted as written), post the event, and wait for the run to end. */
  async function send(id: string, email: string) {
    const put = await stack.call('PUT', `/v1/customers/${id}`, { email, locale: 'en' });
    expect({ status: put.status, body: put.body }).toEqual({ status: 200, body: { id, created: true } });
    expect((await stack.db.customer.findUniqueOrThrow({ where: { id } })).email).toBe(email);
    const post = await stack.call('POST', '/v1/events', { id: `hello-${id}`, customerId: id, name: 'hello', occurredAt: new Date().toISOString() });
    expect(post.status).toBe(202);
    const result = await stack.temporal.workflow.getHandle<typeof sequenceWorkflow>(post.body.started[0]).result();
    return result.stepsDone.map((s) => s.outcome);
  }

  it('user@bücher.example reaches a server without SMTPUTF8, the domain in punycode on the wire', async () => {
    wire.hideSmtpUtf8 = true;
    expect(await send('idn-ascii', 'user@bücher.example')).toEqual(['sent']);
    const s = wire.session('user@xn--bcher-kva.example');
    expect(s).toBeDefined();
    expect(s!.serverReplies).not.toMatch(/SMTPUTF8/); // the client saw a server without the extension
    expect(s!.rcptTo).toEqual(['RCPT TO:<user@xn--bcher-kva.example>']);
    expect(s!.mailFrom).not.toMatch(/SMTPUTF8/);
    const msg = await eventually(() => stack.sink.messages.find((m) => /xn--bcher-kva/.test(headerBlock(m.raw))), 'the message at the sink');
    expect(msg.envelope.to).toEqual(['user@bücher.example']); // the catcher decodes punycode for display
    expect(headerBlock(msg.raw)).toMatch(/^To: user@xn--bcher-kva\.example$/m);
  });

  it('josé@bücher.example (non-ASCII local part) goes out with SMTPUTF8 and the address in UTF-8', async () => {
    wire.hideSmtpUtf8 = false;
    expect(await send('idn-utf8', 'josé@bücher.example')).toEqual(['sent']);
    const s = wire.session('josé@bücher.example');
    expect(s).toBeDefined();
    expect(s!.serverReplies).toMatch(/^250-SMTPUTF8\r$/m);
    expect(s!.mailFrom).toMatch(/ SMTPUTF8\b/);
    expect(s!.rcptTo).toEqual(['RCPT TO:<josé@bücher.example>']);
    const msg = await eventually(() => stack.sink.messages.find((m) => m.envelope.to.includes('josé@bücher.example')), 'the message at the sink');
    expect(msg.parsed.to).toMatchObject({ value: [{ address: 'josé@bücher.example' }] });
  });

  it('"john,doe"@example.com (quoted local part) is delivered with its quotes', async () => {
    expect(await send('quoted', '"john,doe"@example.com')).toEqual(['sent']);
    expect(wire.session('"john,doe"@example.com')?.rcptTo).toEqual(['RCPT TO:<"john,doe"@example.com>']);
    const msg = await eventually(() => stack.sink.messages.find((m) => m.envelope.to.includes('"john,doe"@example.com')), 'the message at the sink');
    expect(headerBlock(msg.raw)).toMatch(/^To: <"john,doe"@example\.com>$/m);
  });

  it('"john doe"@example.com is sent with the right envelope; this catcher (smtp-server) refuses a space in RCPT TO', async () => {
    // RFC 5321 allows the space inside quotes; smtp-server splits the command on whitespace and answers
    // 501, as Gmail answers 553. The engine's part is the envelope: the quoted local part, unchanged.
    expect(await send('quoted-space', '"john doe"@example.com')).toEqual(['failed']);
    expect(wire.session('"john doe"@example.com')?.rcptTo).toEqual(['RCPT TO:<"john doe"@example.com>']);
    const ledger = await stack.db.sendLedger.findFirstOrThrow({ where: { customerId: 'quoted-space' } });
    expect(ledger.error).toMatch(/501/);
    expect(stack.sink.messages.some((m) => m.envelope.to.some((t) => t.includes('john doe')))).toBe(false);
  });
});
