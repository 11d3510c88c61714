// Structured logs: one JSON object per line (pino) on stdout, level from LOG_LEVEL. The Temporal
// SDK's own logs (worker lifecycle, workflow `log`, activity starts and failures with workflowId,
// runId and activityType; native core logs forwarded too) go through the same logger once
// installRuntimeLogger has run. Email addresses are masked in every message and field, so logs hold
// no recipient addresses even when an error message quotes one.
import pino, { type Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Config } from '../domain/config';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const EMAIL_MASK = '[email]';

/** Masks email addresses in strings, arrays and plain objects (errors become { type, message }). */
export function scrubEmails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, EMAIL_MASK);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: scrubEmails(value.message) as string };
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubEmails(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubEmails(v, depth + 1);
  return out;
}

/**
 * The process's JSON logger. Under jest (NODE_ENV=test) it is silent unless LOG_LEVEL is set, so test
 * output shows test results, not request logs.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, opts: { destination?: pino.DestinationStream; bindings?: Record<string, unknown> } = {}): PinoLogger {
  const level = process.env.NODE_ENV === 'test' && !process.env.LOG_LEVEL && !opts.destination ? 'silent' : config.logLevel;
  return pino(
    {
      level,
      base: { pid: process.pid, ...opts.bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      // Known places an address or a secret could sit, removed outright.
      redact: { paths: ['email', '*.email', 'to', '*.to', 'authorization', '*.authorization', 'cookie', '*.cookie', 'headers', '*.headers'], remove: true },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrubEmails(obj) as Record<string, unknown>,
      },
      hooks: {
        // Messages are strings too: mask addresses in them (interpolated arguments included).
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? a.replace(EMAIL, EMAIL_MASK) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
/** SDK metadata that is noise in logs (the task token is an opaque binary blob). */
const DROPPED_META = new Set(['taskToken']);

/** The Temporal SDK's Logger interface on top of pino. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    let lvl = LEVELS[level] ?? 'info';
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(meta ?? {})) {
      if (DROPPED_META.has(k)) continue;
      fields[k === 'workflowRunId' ? 'runId' : k] = v instanceof Error ? { type: v.name, message: v.message } : v;
    }
    // The SDK logs activity starts at DEBUG; ops asked for them at INFO (one line per activity run),
    // so a failing step can be followed from its first attempt.
    if (lvl === 'debug' && message === 'Activity started') lvl = 'info';
    const err = fields.error as { type?: string; message?: string } | undefined;
    if (err && typeof err === 'object') fields.error = { type: err.type, message: err.message };
    this.logger[lvl](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Installs the Temporal Runtime with a logger that forwards to pino, core (Rust) logs included. Must
 * run before anything creates the Runtime (a worker, a NativeConnection, the dev server). Returns
 * false when a Runtime already exists in this process (its logger stays).
 */
export function installRuntimeLogger(config: Pick<Config, 'logLevel'>, logger: PinoLogger = createLogger(config, { bindings: { component: 'temporal' } })): boolean {
  const coreLevel = config.logLevel === 'debug' || config.logLevel === 'trace' ? 'INFO' : 'WARN';
  try {
    Runtime.install({
      logger: new PinoTemporalLogger(logger),
      telemetryOptions: { logging: { filter: { core: coreLevel, other: coreLevel }, forward: {} } },
    });
    return true;
  } catch {
    return false;
  }
}
