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
  /**
   * DATABASE_POOL_SIZE: PostgreSQL connections per process (SQLite has one per process). Every
   * process (worker, API) holds up to this many, so processes x pool size must stay under the
   * server's max_connections (100 by default) less what other clients need.
   */
  poolSize?: number;
}

/** PostgreSQL connections per process when DATABASE_POOL_SIZE is not set (docs/scale.md explains the choice). */
export const DEFAULT_DB_POOL_SIZE = 20;

export interface OpsConfig {
  /** Base URL of Temporal's Web UI; runs link to `<base>/namespaces/<ns>/workflows/<id>`. */
  temporalUiUrl: string;
  /** Port of the worker's Prometheus endpoint (`outreach worker`); undefined = off. */
  workerMetricsPort?: number;
  workerMetricsHost: string;
}

export interface SmtpConfig {
  url: string;
  from: string;
  pool: boolean;
  /** DKIM signing (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_PATH, all three or none). */
  dkim?: DkimConfig;
}

export interface DkimConfig {
  domain: string;
  selector: string;
  privateKeyPath: string;
}

/** At most `count` marketing emails in any `days` consecutive days of the customer's own calendar. */
export interface FrequencyCap {
  count: number;
  days: number;
}

/** Delivery policy: rate limits, consent rules, frequency caps (docs/delivery.md). */
export interface DeliveryConfig {
  /** MARKETING_CAP ("3/7d"); undefined when "off". */
  marketingCap?: FrequencyCap;
  /** SURVEY_REQUIRES_CONSENT: survey emails need marketing consent too. */
  surveyRequiresConsent: boolean;
  /** EMAIL_RATE_PER_SECOND: emails per second across every worker of the email task queue. */
  emailRatePerSecond?: number;
  /**
   * EMAIL_CONCURRENCY: SMTP sends in flight per worker process. The default matches the SMTP pool's
   * five connections, so a claimed send never waits in the pool (a shorter window in which a crash
   * makes it ambiguous).
   */
  emailConcurrency: number;
}

/** The task queue of the email activity: the workflow's own queue plus this suffix (deterministic). */
export const EMAIL_TASK_QUEUE_SUFFIX = '-email';
export function emailTaskQueue(taskQueue: string): string {
  return `${taskQueue}${EMAIL_TASK_QUEUE_SUFFIX}`;
}

/** Surveys and their alerts (docs/surveys.md). */
export interface SurveyConfig {
  /** SURVEY_FATIGUE_DAYS: at most one survey per customer in this many days; 0 turns the rule off. */
  fatigueDays: number;
  /** ALERT_WEBHOOK_URL: low-score and "I need help" alerts are also POSTed here as JSON. */
  alertWebhookUrl?: string;
  /** ALERT_COMMENT_GRACE_MINUTES: how long a low-score alert waits for the customer's comment. */
  alertCommentGraceMinutes: number;
  /** ALERT_CUSTOMER_URL: the customer record link in alerts; `{id}` is replaced by the customer id. */
  alertCustomerUrl?: string;
}

/** Periodic check-ins (docs/surveys.md). */
export interface CheckinConfig {
  /** CHECKIN_CADENCE_DAYS: days between check-ins unless a plan or segment says otherwise. */
  cadenceDays: number;
  /** CHECKIN_RECENT_CONTACT_DAYS: a check-in is skipped when anything else was sent in these days. */
  recentContactDays: number;
  /** CHECKIN_AUTO_START: start a customer's check-ins when a profile with marketing consent is saved. */
  autoStart: boolean;
  /** CHECKIN_STOP_EVENTS: events that end a customer's check-ins. */
  stopEvents: string[];
  /** CHECKIN_PLANS_FILE: JSON or YAML with per-plan and per-segment overrides. */
  plansFile?: string;
}

export interface Config {
  temporal: TemporalConfig;
  database: DatabaseConfig;
  smtp: SmtpConfig;
  api: { host: string; port: number; publicBaseUrl: string };
  /** The signing key: the first key of OUTREACH_SECRET (signs links and seals dashboard sessions). */
  secret: string;
  /**
   * Every key of OUTREACH_SECRET, the signing key first: links and dashboard sessions made with any
   * of them are accepted, so a key can be rotated without breaking links in inboxes (docs/security.md).
   */
  secrets: string[];
  defaultLocale: string;
  defaultTimeZone: string;
  defaultCountry?: string;
  /** The account's sending policy: daily windows and quiet hours, "HH:mm-HH:mm" local. */
  sendWindows: string[];
  quietHours: string[];
  /** ISO weekdays (1 = Monday) of the account's default calendar; undefined: from DEFAULT_COUNTRY. */
  workingDays?: number[];
  /** Spread sends of a cohort over the window (deterministic per customer) instead of the window's first minute. */
  spreadSends: boolean;
  /**
   * Workflows the worker keeps in memory between tasks. Sleeping enrollments beyond this are evicted
   * and replayed from their (short) history when they wake: memory stays bounded.
   */
  workerMaxCachedWorkflows: number;
  accountOwnerEmail: string;
  logLevel: string;
  /** Monitoring: links to Temporal's Web UI and the worker's own metrics endpoint (docs/ops.md). */
  ops: OpsConfig;
  delivery: DeliveryConfig;
  surveys: SurveyConfig;
  checkins: CheckinConfig;
  /** Event dispatch (client/api/dispatch.ts). */
  dispatch: {
    /**
     * DISPATCH_WAIT_MS: how long POST /v1/events waits for its events' dispatch when the request does
     * not say (`Prefer: wait=N` does): 0, the default, answers as soon as the events are stored.
     */
    waitMs: number;
  };
}

type Env = Record<string, string | undefined>;

export const DEFAULT_SQLITE_URL = `file:${path.join(DATA_DIR, 'outreach.db')}`;
/** Development-only signing secret; `outreach` warns when it is used. */
export const DEV_SECRET = 'outreach-dev-secret-change-me';
/** OUTREACH_SECRET lists keys separated by this, the signing key first: `new,old`. */
export const SECRET_SEPARATOR = ',';
/** Shortest key accepted (a random value from `openssl rand -hex 32` has 64 characters). */
export const MIN_SECRET_LENGTH = 16;

/**
 * The key ring of OUTREACH_SECRET: one key, or several separated by commas with the signing key
 * first. Each key is at least 16 characters without whitespace or control characters; no key twice.
 * Messages name the variable and the key's position, never the key.
 */
export function parseSecretRing(raw: string | undefined): string[] {
  if (!raw) return [DEV_SECRET];
  const keys = raw.split(SECRET_SEPARATOR);
  const hint = 'OUTREACH_SECRET lists keys separated by commas, the signing key first (new,old)';
  keys.forEach((key, i) => {
    const which = keys.length > 1 ? `OUTREACH_SECRET key ${i + 1} of ${keys.length}` : 'OUTREACH_SECRET';
    if (key === '') throw new ConfigError(`${which} is empty: ${hint}, with no empty entries`);
    if (/\s/.test(key)) throw new ConfigError(`${which} contains whitespace: ${hint}, with no spaces`);
    if (/[\u0000-\u001f\u007f]/.test(key)) throw new ConfigError(`${which} contains a control character: use printable characters only`);
    if (key.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`${which} is too short (${key.length} characters): use a random value of at least ${MIN_SECRET_LENGTH}, e.g. openssl rand -hex 32`);
    }
    const first = keys.indexOf(key);
    if (first !== i) throw new ConfigError(`OUTREACH_SECRET lists the same key twice (keys ${first + 1} and ${i + 1} of ${keys.length}): remove one`);
  });
  return keys;
}

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

function weekdaysVar(env: Env, name: string): number[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const days = raw.split(',').map((s) => Number(s.trim()));
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new ConfigError(`${name} must list ISO weekdays 1 (Monday) to 7 (Sunday) separated by commas, e.g. 1,2,3,4,5 (got "${raw}")`);
  return [...new Set(days)].sort();
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

export function parseFrequencyCap(raw: string | undefined, name = 'MARKETING_CAP'): FrequencyCap | undefined {
  if (raw === undefined || raw.trim() === '') return { count: 3, days: 7 };
  if (/^(off|none|0)$/i.test(raw.trim())) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*d\s*$/i.exec(raw);
  const count = m ? Number(m[1]) : NaN;
  const days = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1000 || days < 1 || days > 366) {
    throw new ConfigError(`${name} must look like 3/7d (at most 3 marketing emails per 7 days; 1-1000 emails, 1-366 days) or off (got "${raw}")`);
  }
  return { count, days };
}

function rateVar(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 100_000) throw new ConfigError(`${name} must be a number of emails per second above 0 (e.g. 10 or 0.5; got "${raw}")`);
  return n;
}

function dkimVars(env: Env): DkimConfig | undefined {
  const domain = env.DKIM_DOMAIN || undefined;
  const selector = env.DKIM_SELECTOR || undefined;
  const privateKeyPath = env.DKIM_PRIVATE_KEY_PATH || undefined;
  if (!domain && !selector && !privateKeyPath) return undefined;
  const missing = [!domain && 'DKIM_DOMAIN', !selector && 'DKIM_SELECTOR', !privateKeyPath && 'DKIM_PRIVATE_KEY_PATH'].filter(Boolean);
  if (missing.length) throw new ConfigError(`DKIM signing needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH together: set ${missing.join(' and ')} too (or unset all three)`);
  if (!/^[a-z0-9.-]+$/i.test(domain!)) throw new ConfigError(`DKIM_DOMAIN must be a domain name such as example.com (got "${domain}")`);
  if (!/^[a-z0-9._-]+$/i.test(selector!)) throw new ConfigError(`DKIM_SELECTOR must be a selector such as mail2026 (got "${selector}")`);
  return { domain: domain!, selector: selector!, privateKeyPath: path.resolve(PROJECT_ROOT, privateKeyPath!) };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevelVar(env: Env): string {
  const raw = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  return raw;
}

function urlVar(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

export function loadConfig(env: Env = process.env): Config {
  const port = intVar(env, 'API_PORT', 3000, 0, 65535);
  const secrets = parseSecretRing(env.OUTREACH_SECRET);
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
    database: { ...parseDatabaseUrl(env.DATABASE_URL || DEFAULT_SQLITE_URL), poolSize: intVar(env, 'DATABASE_POOL_SIZE', DEFAULT_DB_POOL_SIZE, 1, 1000) },
    smtp: {
      url: parseSmtpUrl(env.SMTP_URL || 'smtp://127.0.0.1:1025'),
      from: env.MAIL_FROM || 'Outreach <outreach@localhost>',
      pool: boolVar(env, 'SMTP_POOL', true),
      dkim: dkimVars(env),
    },
    api: { host, port, publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${port}`).replace(/\/$/, '') },
    secret: secrets[0],
    secrets,
    defaultLocale: env.DEFAULT_LOCALE || 'en',
    defaultTimeZone: zoneVar(env, 'DEFAULT_TIME_ZONE', 'UTC'),
    defaultCountry: env.DEFAULT_COUNTRY || undefined,
    sendWindows: listVar(env, 'SEND_WINDOWS', ['09:00-17:00']),
    quietHours: listVar(env, 'QUIET_HOURS', []),
    workingDays: weekdaysVar(env, 'WORKING_DAYS'),
    spreadSends: boolVar(env, 'SPREAD_SENDS', true),
    workerMaxCachedWorkflows: intVar(env, 'WORKER_MAX_CACHED_WORKFLOWS', 100, 0, 1_000_000),
    accountOwnerEmail: env.ACCOUNT_OWNER_EMAIL || 'owner@localhost',
    logLevel: logLevelVar(env),
    ops: {
      temporalUiUrl: urlVar(env, 'TEMPORAL_UI_URL', 'http://127.0.0.1:8233'),
      workerMetricsPort: env.WORKER_METRICS_PORT ? intVar(env, 'WORKER_METRICS_PORT', 0, 1, 65535) : undefined,
      workerMetricsHost: env.WORKER_METRICS_HOST || '127.0.0.1',
    },
    delivery: {
      marketingCap: parseFrequencyCap(env.MARKETING_CAP),
      surveyRequiresConsent: boolVar(env, 'SURVEY_REQUIRES_CONSENT', false),
      emailRatePerSecond: rateVar(env, 'EMAIL_RATE_PER_SECOND'),
      emailConcurrency: intVar(env, 'EMAIL_CONCURRENCY', 5, 1, 1000),
    },
    surveys: {
      fatigueDays: intVar(env, 'SURVEY_FATIGUE_DAYS', 30, 0, 3660),
      alertWebhookUrl: env.ALERT_WEBHOOK_URL ? urlVar(env, 'ALERT_WEBHOOK_URL', '') : undefined,
      alertCommentGraceMinutes: intVar(env, 'ALERT_COMMENT_GRACE_MINUTES', 10, 0, 1440),
      alertCustomerUrl: customerUrlVar(env),
    },
    checkins: {
      cadenceDays: intVar(env, 'CHECKIN_CADENCE_DAYS', 28, 1, 3660),
      recentContactDays: intVar(env, 'CHECKIN_RECENT_CONTACT_DAYS', 7, 0, 3660),
      autoStart: boolVar(env, 'CHECKIN_AUTO_START', false),
      stopEvents: eventListVar(env, 'CHECKIN_STOP_EVENTS', ['unsubscribed', 'churned']),
      plansFile: env.CHECKIN_PLANS_FILE ? path.resolve(PROJECT_ROOT, env.CHECKIN_PLANS_FILE) : undefined,
    },
    dispatch: {
      waitMs: intVar(env, 'DISPATCH_WAIT_MS', 0, 0, 120_000),
    },
  };
}

function customerUrlVar(env: Env): string | undefined {
  const raw = env.ALERT_CUSTOMER_URL;
  if (!raw) return undefined;
  if (!raw.includes('{id}')) throw new ConfigError(`ALERT_CUSTOMER_URL must contain {id}, where the customer id goes, e.g. https://crm.example.com/customers/{id} (got "${raw}")`);
  urlVar({ ALERT_CUSTOMER_URL: raw.replace('{id}', 'id') }, 'ALERT_CUSTOMER_URL', '');
  return raw;
}

function eventListVar(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!/^[a-z][a-z0-9_.-]*$/.test(item)) throw new ConfigError(`${name} must be comma-separated event names such as unsubscribed,churned (got "${item}")`);
  }
  return items;
}
