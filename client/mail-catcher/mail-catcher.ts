// A real SMTP server that keeps every message it receives: the development mail catcher (with a
// web page, see web.ts) and the sink the tests send to. Built on smtp-server + mailparser, so what
// arrives is exactly what a real provider would get over the wire.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface CaughtMessage {
  id: number;
  receivedAt: string;
  envelope: { from: string | false; to: string[] };
  /** The raw RFC 5322 message as received. */
  raw: string;
  parsed: ParsedMail;
}

/**
 * A per-message SMTP reply hook for fault tests: return an error with `responseCode` (e.g. 451 or
 * 550) to reject the message the way a real provider would, or nothing to accept it.
 */
export type RejectHook = (info: { to: string[]; attempt: number }) => { code: number; message: string } | undefined;

export class MailCatcher {
  readonly messages: CaughtMessage[] = [];
  private server: SMTPServer;
  private waiters: Array<() => void> = [];
  private attempts = 0;
  reject?: RejectHook;

  constructor(opts: { reject?: RejectHook } = {}) {
    this.reject = opts.reject;
    const options: SMTPServerOptions = {
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 25 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          this.attempts += 1;
          const rejection = this.reject?.({ to, attempt: this.attempts });
          if (rejection) {
            const err = new Error(rejection.message) as Error & { responseCode: number };
            err.responseCode = rejection.code;
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = await simpleParser(raw);
            this.messages.push({
              id: this.messages.length + 1,
              receivedAt: new Date().toISOString(),
              envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false, to },
              raw,
              parsed,
            });
            callback();
            this.waiters.splice(0).forEach((w) => w());
          } catch (err) {
            callback(err as Error);
          }
        });
      },
    };
    this.server = new SMTPServer(options);
    this.server.on('error', () => undefined);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  /** Resolves once at least `count` messages have arrived, or rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<CaughtMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} message(s) at the SMTP sink, got ${this.messages.length} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.messages.slice(0, count);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
