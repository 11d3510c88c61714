// The SMTP transport. Pooled by default: reusing connections is about five times faster than one
// connection per message against a loopback sink (see bench/), and providers rate-limit new
// connections more than messages. With DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH set,
// every message is DKIM-signed (relaxed/relaxed, rsa-sha256 or ed25519 by the key's type).
//
// A failed send's error also says whether the message had started going out (`dataStarted`, see
// trackDataStage): nodemailer reports a connection lost before DATA and one lost after the message
// the same way (ECONNECTION / ETIMEDOUT / ESOCKET, command "CONN"), but only the first is a clean
// "not accepted"; after DATA the server may hold the message.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import { ConfigError, type DkimConfig, type SmtpConfig } from '../../domain/config';

export type MailTransport = Transporter;

/** Set on the error of a failed send by transports from createTransport. */
export interface SmtpStage {
  /**
   * True once the server had answered DATA (354) and the message was streaming to it. A failure
   * from then on that carries no reply code (closed, reset, socket timeout) leaves it unknown
   * whether the server holds the message.
   */
  dataStarted?: boolean;
}

/**
 * Marks the errors of sends that failed after the message started streaming (`dataStarted`).
 *
 * The SMTP connection reads the message stream only once the server answered DATA with 354: it pipes
 * the stream into the DATA stream then, not before (nodemailer's pool uses the same fact,
 * `readableDidRead`, to decide whether a message may be moved to another connection). So the stream
 * the connection gets tells the stage per message. It is reached through nodemailer's own hooks: the
 * transport's `send(mail, callback)` (wrapped here) and the message's `processFunc`, added after
 * DKIM's so it sees the very stream the connection reads. A pooled transport makes a new stream each
 * time it moves a message to another connection: any of them having been read counts.
 */
function trackDataStage(transporter: MailTransport): void {
  const transport = transporter.transporter;
  const send = transport.send.bind(transport);
  transport.send = (mail, callback) => {
    const streams: Readable[] = [];
    mail.message.processFunc((stream) => {
      streams.push(stream);
      return stream;
    });
    send(mail, (err, info) => {
      if (err && streams.some((s) => s.readableDidRead)) (err as SmtpStage).dataStarted = true;
      callback(err, info);
    });
  };
}

/** A timeout in milliseconds from SMTP_URL's query (`?socketTimeout=5000`), or the default. */
function timeoutParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1) throw new ConfigError(`SMTP_URL ${name}=${raw} must be a whole number of milliseconds above 0 (e.g. ${name}=${fallback})`);
  return ms;
}

/** nodemailer's `dkim` option from config; reads the private key (a ConfigError names a bad path). */
/**
 * The headers the DKIM signature covers: nodemailer's RFC 6376 list plus List-Unsubscribe-Post,
 * which RFC 8058 (one-click unsubscribe) requires to be signed together with List-Unsubscribe.
 */
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Content-ID', 'Content-Description', 'Content-Language', 'In-Reply-To', 'References',
  'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Subscribe', 'List-Post', 'List-Owner', 'List-Archive',
].join(':');

export function dkimOptions(dkim: DkimConfig | undefined): { domainName: string; keySelector: string; privateKey: string; headerFieldNames: string } | undefined {
  if (!dkim) return undefined;
  let privateKey: string;
  try {
    privateKey = fs.readFileSync(dkim.privateKeyPath, 'utf8');
  } catch {
    throw new ConfigError(`DKIM_PRIVATE_KEY_PATH=${dkim.privateKeyPath} cannot be read: fix the path or the file's permissions`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new ConfigError(`DKIM_PRIVATE_KEY_PATH=${dkim.privateKeyPath} holds no PEM private key (expected "-----BEGIN PRIVATE KEY-----")`);
  }
  return { domainName: dkim.domain, keySelector: dkim.selector, privateKey, headerFieldNames: DKIM_SIGNED_HEADERS };
}

export function createTransport(smtp: SmtpConfig): MailTransport {
  const url = new URL(smtp.url);
  const transporter = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: smtp.pool,
    maxConnections: 5,
    // Loopback sinks and dev catchers speak plain SMTP; real providers get STARTTLS when offered.
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
    // Well inside the email activity's start-to-close timeout (2 minutes), so a hung provider ends
    // as a retryable error of this attempt rather than an activity timeout (which would leave the
    // ledger row "sending" and make the send ambiguous). The socket timeout is also how long the
    // final reply to a message may take: without it by then, the send is ambiguous (docs/delivery.md).
    // SMTP_URL's `?socketTimeout=<ms>` sets it.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: timeoutParam(url, 'socketTimeout', 30_000),
    dkim: dkimOptions(smtp.dkim),
  });
  trackDataStage(transporter);
  return transporter;
}
