// A real SMTP server (smtp-server, as the mail catcher) that misbehaves on cue, for the tests of what
// a lost connection means for a send (not a test file). A test arms one fault for the next time the
// SMTP transaction reaches a stage; everything else is accepted. The server counts what it sees, so
// a test can say how many DATA transactions a send took and how many copies the server holds.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** Where in the SMTP transaction the armed fault strikes. */
export type Stage =
  /** on MAIL FROM, before replying to it */
  | 'MAIL FROM'
  /** on RCPT TO, before replying to it */
  | 'RCPT TO'
  /** right after the 250 to RCPT TO, before the client's DATA command is answered */
  | 'after RCPT TO'
  /** after the server answered DATA with 354 and received the whole message, before the final reply */
  | 'after message';

export type Fault =
  /** close the connection (FIN), no reply */
  | 'close'
  /** reset the connection (RST), no reply */
  | 'reset'
  /** never reply (the client's socket timeout ends it) */
  | 'hang'
  /** reply with this code */
  | { code: number; message: string };

export interface DataTransaction {
  to: string[];
  /** The whole message as received (the server got the terminating dot). */
  raw: string;
  /** What the server did with it: 250, another code, or the fault that left it unanswered. */
  outcome: 'accepted' | 'close' | 'reset' | 'hang' | number;
}

export class ScriptedSmtpServer {
  /** Every DATA transaction the server answered with 354 and received in full, in order. */
  readonly transactions: DataTransaction[] = [];
  /** MAIL FROM and RCPT TO commands received, in order (RCPT TO with the address). */
  readonly commands: string[] = [];
  private readonly armed = new Map<Stage, Fault>();
  private readonly sockets = new Map<number, net.Socket>();
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Without PIPELINING the client waits for each reply before its next command, so a fault
      // "after RCPT TO" strikes before the client's DATA command is answered, never after a 354.
      hidePIPELINING: true,
      logger: false,
      onMailFrom: (_address, session, callback) => {
        this.commands.push('MAIL FROM');
        if (this.strike('MAIL FROM', session.remotePort)) return;
        callback();
      },
      onRcptTo: (address, session, callback) => {
        this.commands.push(`RCPT TO ${address.address}`);
        if (this.strike('RCPT TO', session.remotePort)) return;
        const fault = this.take('after RCPT TO');
        callback();
        // The 250 is written; ending the socket now flushes it and sends nothing more.
        if (fault) this.sockets.get(session.remotePort)?.end();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          const raw = Buffer.concat(chunks).toString('utf8');
          const fault = this.take('after message');
          if (!fault) {
            this.transactions.push({ to, raw, outcome: 'accepted' });
            return callback();
          }
          if (typeof fault === 'object') {
            this.transactions.push({ to, raw, outcome: fault.code });
            return callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
          }
          this.transactions.push({ to, raw, outcome: fault });
          // 'hang': the callback is never called, so no reply ever comes.
          if (fault !== 'hang') this.cut(session.remotePort, fault);
        });
      },
    });
    this.server.on('error', () => undefined);
    this.server.server.on('connection', (socket: net.Socket) => {
      const port = socket.remotePort!;
      this.sockets.set(port, socket);
      socket.on('close', () => this.sockets.delete(port));
    });
  }

  /** The next time the transaction reaches `stage`, do `fault` instead of the normal reply. */
  arm(stage: Stage, fault: Fault): void {
    this.armed.set(stage, fault);
  }

  /** DATA transactions (received in full) for a recipient. */
  transactionsTo(address: string): DataTransaction[] {
    return this.transactions.filter((t) => t.to.includes(address.toLowerCase()));
  }

  /** Messages the server accepted (answered 250) for a recipient. */
  acceptedTo(address: string): DataTransaction[] {
    return this.transactionsTo(address).filter((t) => t.outcome === 'accepted');
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    // Connections left hanging by a test would keep close() waiting.
    for (const s of this.sockets.values()) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(stage: Stage): Fault | undefined {
    const fault = this.armed.get(stage);
    this.armed.delete(stage);
    return fault;
  }

  /** Applies an armed connection fault at `stage`; true when the command gets no reply. */
  private strike(stage: Stage, port: number): boolean {
    const fault = this.take(stage);
    if (!fault) return false;
    if (typeof fault === 'object') throw new Error(`reply faults are for "after message" only (got one for ${stage})`);
    if (fault !== 'hang') this.cut(port, fault);
    return true;
  }

  private cut(port: number, how: 'close' | 'reset'): void {
    const socket = this.sockets.get(port);
    if (!socket) throw new Error(`no client socket on port ${port}`);
    if (how === 'reset') socket.resetAndDestroy();
    else socket.destroy();
  }
}
