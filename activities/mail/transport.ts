// The SMTP transport. Pooled by default: reusing connections is about five times faster than one
// connection per message against a loopback sink (see bench/), and providers rate-limit new
// connections more than messages.
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../../domain/config';

export type MailTransport = Transporter;

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
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
