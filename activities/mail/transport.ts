// The SMTP transport. Pooled by default: reusing connections is about five times faster than one
// connection per message against a loopback sink (see bench/), and providers rate-limit new
// connections more than messages. With DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH set,
// every message is DKIM-signed (relaxed/relaxed, rsa-sha256 or ed25519 by the key's type).
import fs from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import { ConfigError, type DkimConfig, type SmtpConfig } from '../../domain/config';

export type MailTransport = Transporter;

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
  return nodemailer.createTransport({
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
    // ledger row "sending" and make the send ambiguous).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dkim: dkimOptions(smtp.dkim),
  });
}
