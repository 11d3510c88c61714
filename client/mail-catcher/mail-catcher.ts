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

export interface MailCatcherOptions {
  reject?: RejectHook;
  /**
   * Keep and parse every message (default true). Benchmarks turn it off: a provider's parsing is
   * not the sender's cost, and here it would share the machine with the engine being measured.
   * Messages are still received in full over SMTP, counted, and passed to `onMessage`.
   */
  keep?: boolean;
  /** Called for every accepted message with its envelope recipients and raw text. */
  onMessage?: (m: { to: string[]; raw: string }) => void;
}

export class MailCatcher {
  /** Messages kept (all accepted ones unless `keep: false`). */
  readonly messages: CaughtMessage[] = [];
  /** Accepted messages, kept or not; `waitFor` counts these. */
  received = 0;
  private server: SMTPServer;
  private waiters: Array<() => void> = [];
  private attempts = 0;
  private readonly keep: boolean;
  private readonly onMessage?: MailCatcherOptions['onMessage'];
  reject?: RejectHook;

  constructor(opts: MailCatcherOptions = {}) {
    this.reject = opts.reject;
    this.keep = opts.keep ?? true;
    this.onMessage = opts.onMessage;
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
          if (!this.keep) {
            this.accepted(to, raw);
            return callback();
          }
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
            this.accepted(to, raw);
          } catch (err) {
            callback(err as Error);
          }
        });
      },
    };
    this.server = new SMTPServer(options);
    this.server.on('error', () => undefined);
  }

  private accepted(to: string[], raw: string): void {
    this.received += 1;
    this.onMessage?.({ to, raw });
    this.waiters.splice(0).forEach((w) => w());
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
    while (this.received < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} message(s) at the SMTP sink, got ${this.received} within ${timeoutMs} ms`);
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
    this.received = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
