'use strict';
// Logging on stderr in the shape of the native engine's `tracing` JSON output. The Prisma CLI parses
// these lines: in one-shot `cli` mode it skips the first line and JSON.parses every other one (a
// stray non-JSON line turns into "Could not parse schema engine response"), and in RPC mode it
// keeps the last ERROR line to explain an unexpected exit. So stderr carries JSON lines only.
const fs = require('node:fs');

const TARGET = 'schema_engine::logger';
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

// RUST_LOG is what the CLI sets for the native engine (`info` by default). Only the global level is
// honoured (`info`, `debug`, ...); per-target directives fall back to that level or to INFO.
function thresholdFromEnv(value) {
  if (!value) return LEVELS.INFO;
  for (const part of String(value).split(',')) {
    const level = part.includes('=') ? part.split('=').pop() : part;
    const key = String(level).trim().toUpperCase();
    if (key === 'OFF') return Infinity;
    if (key in LEVELS) return LEVELS[key];
  }
  return LEVELS.INFO;
}

const threshold = thresholdFromEnv(process.env.RUST_LOG);
const redactions = [];

/** Registers a secret (e.g. a database password) that must never reach a log line or an error. */
function addRedaction(secret) {
  if (typeof secret === 'string' && secret.length > 0 && !redactions.includes(secret)) redactions.push(secret);
}

function redact(text) {
  let out = String(text);
  for (const secret of redactions) out = out.split(secret).join('<REDACTED>');
  return out;
}

function writeLine(obj) {
  const line = redact(JSON.stringify(obj));
  try {
    // Synchronous so that the last lines are on stderr before a process.exit().
    fs.writeSync(2, line + '\n');
  } catch {
    // stderr closed: nothing sensible left to do.
  }
}

function log(level, message, fields = {}, target = TARGET) {
  if (LEVELS[level] < threshold) return;
  writeLine({ timestamp: new Date().toISOString(), level, fields: { message: String(message), ...fields }, target });
}

/**
 * Forwards one log event from the wasm engine (already a tracing JSON line, without timestamp) so
 * the stream looks like the native engine's.
 */
function forwardEngineLog(text) {
  for (const raw of String(text).split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      log('INFO', line, {}, 'schema_engine_wasm');
      continue;
    }
    const level = String(event.level || 'INFO').toUpperCase();
    if ((LEVELS[level] ?? LEVELS.INFO) < threshold) continue;
    writeLine({ timestamp: new Date().toISOString(), ...event, level });
  }
}

module.exports = {
  info: (message, fields) => log('INFO', message, fields),
  warn: (message, fields) => log('WARN', message, fields),
  debug: (message, fields) => log('DEBUG', message, fields),
  /** An error in the shape the CLI looks for (`level` ERROR, `target` schema_engine::logger). */
  error: (message, fields) => writeLine({
    timestamp: new Date().toISOString(),
    level: 'ERROR',
    fields: { message: String(message), ...fields },
    target: TARGET,
  }),
  forwardEngineLog,
  addRedaction,
  redact,
};
