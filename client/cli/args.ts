// Flag parsing shared by every `outreach` command. Bad flags are a usage error: exit code 2 and a
// message naming the flag, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `argv` strictly against `options`: unknown flags, missing values and stray positionals
 * (beyond `maxPositionals`) become a UsageError naming the offending flag.
 */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(describeParseError(err as Error & { code?: string }));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return parsed;
}

function describeParseError(err: Error & { code?: string }): string {
  // node's messages are already specific ("Unknown option '--foo'", "Option '--tz <value>' argument
  // missing"); keep them, minus the hint about '--' which confuses more than it helps here.
  return err.message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').trim();
}

/** Returns a required string flag or throws a UsageError naming it. */
export function requireFlag(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`missing required flag --${name}`);
  return v;
}

/** Instants the calendar answers for: time-zone rules before 1970 and after 2100 are guesses. */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2100;

/** A UsageError naming `flag` when the instant `ms` falls outside FIRST_YEAR..LAST_YEAR. */
export function checkYearRange(flag: string, ms: number, text: string): void {
  const year = new Date(ms).getUTCFullYear();
  if (!Number.isFinite(ms) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new UsageError(`${flag}: "${text}" is outside the years ${FIRST_YEAR}-${LAST_YEAR} the calendar answers for`);
  }
}
