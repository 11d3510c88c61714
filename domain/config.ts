// Engine configuration, read from environment variables with documented defaults (README,
// "Configuration"). Parsing is strict: a malformed value is a ConfigError whose one-line message
// names the variable and says what to fix. Secrets are never included in messages or logs.
import path from 'node:path';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DATA_DIR = path.join(PROJECT_ROOT, '.data');

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: { serverName?: string; serverRootCACertificatePath?: string; clientCertPath?: string; clientKeyPath?: string };
}

export interface DatabaseConfig {
  provider: 'sqlite' | 'postgresql';
  url: string;
}

export interface SmtpConfig {
  url: string;
  from: string;
  pool: boolean;
}

export interface Config {
  temporal: TemporalConfig;
  database: DatabaseConfig;
  smtp: SmtpConfig;
  api: { host: string; port: number; publicBaseUrl: string };
  secret: string;
  defaultLocale: string;
  defaultTimeZone: string;
  defaultCountry?: string;
  /** The account's sending policy: daily windows and quiet hours, "HH:mm-HH:mm" local. */
  sendWindows: string[];
  quietHours: string[];
  accountOwnerEmail: string;
  logLevel: string;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_SQLITE_URL = `file:${path.join(DATA_DIR, 'outreach.db')}`;
/** Development-only signing secret; `outreach` warns when it is used. */
export const DEV_SECRET = 'outreach-dev-secret-change-me';

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (!file) throw new ConfigError('DATABASE_URL "file:" names no file: use e.g. file:./.data/outreach.db');
    return { provider: 'sqlite', url: `file:${path.resolve(PROJECT_ROOT, file)}` };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid PostgreSQL URL: use postgresql://user:password@host:5432/database');
    }
    return { provider: 'postgresql', url };
  }
  throw new ConfigError(
    'DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), e.g. postgresql://user:password@host:5432/outreach',
  );
}

export function parseSmtpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('SMTP_URL is not a valid URL: use smtp://user:password@host:587 or smtps://host:465');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError(`SMTP_URL must use smtp:// or smtps:// (got ${parsed.protocol}//): e.g. smtp://user:password@host:587`);
  }
  if (!parsed.hostname) throw new ConfigError('SMTP_URL names no host: use smtp://host:port');
  if (parsed.port && (Number(parsed.port) < 1 || Number(parsed.port) > 65535)) {
    throw new ConfigError(`SMTP_URL port ${parsed.port} is out of range 1-65535`);
  }
  return url;
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function listVar(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!/^\d{2}:\d{2}-\d{2}:\d{2}$/.test(item)) throw new ConfigError(`${name} must be comma-separated HH:mm-HH:mm ranges, e.g. 09:00-12:00,13:00-17:00 (got "${item}")`);
  }
  return items;
}

function zoneVar(env: Env, name: string, fallback: string): string {
  const zone = env[name] || fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ConfigError(`${name} is not an IANA time zone (got "${zone}"): use e.g. Europe/Berlin`);
  }
  return zone;
}

export function loadConfig(env: Env = process.env): Config {
  const port = intVar(env, 'API_PORT', 3000, 0, 65535);
  const host = env.API_HOST || '127.0.0.1';
  const temporalTls = boolVar(env, 'TEMPORAL_TLS', false) || !!env.TEMPORAL_API_KEY || !!env.TEMPORAL_TLS_CERT_PATH;
  return {
    temporal: {
      address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'outreach',
      apiKey: env.TEMPORAL_API_KEY || undefined,
      tls: temporalTls
        ? {
            serverName: env.TEMPORAL_TLS_SERVER_NAME || undefined,
            serverRootCACertificatePath: env.TEMPORAL_TLS_CA_PATH || undefined,
            clientCertPath: env.TEMPORAL_TLS_CERT_PATH || undefined,
            clientKeyPath: env.TEMPORAL_TLS_KEY_PATH || undefined,
          }
        : undefined,
    },
    database: parseDatabaseUrl(env.DATABASE_URL || DEFAULT_SQLITE_URL),
    smtp: {
      url: parseSmtpUrl(env.SMTP_URL || 'smtp://127.0.0.1:1025'),
      from: env.MAIL_FROM || 'Outreach <outreach@localhost>',
      pool: boolVar(env, 'SMTP_POOL', true),
    },
    api: { host, port, publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${port}`).replace(/\/$/, '') },
    secret: env.OUTREACH_SECRET || DEV_SECRET,
    defaultLocale: env.DEFAULT_LOCALE || 'en',
    defaultTimeZone: zoneVar(env, 'DEFAULT_TIME_ZONE', 'UTC'),
    defaultCountry: env.DEFAULT_COUNTRY || undefined,
    sendWindows: listVar(env, 'SEND_WINDOWS', ['09:00-17:00']),
    quietHours: listVar(env, 'QUIET_HOURS', []),
    accountOwnerEmail: env.ACCOUNT_OWNER_EMAIL || 'owner@localhost',
    logLevel: env.LOG_LEVEL || 'info',
  };
}
