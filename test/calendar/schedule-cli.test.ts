// `outreach schedule`: output in text and JSON, and usage errors (exit 2) that name the flag. The
// command is exercised through its `run`, as main.ts calls it; main maps a UsageError to exit 2.
import { UsageError } from '../../client/cli/args';
import { scheduleCommand } from '../../client/cli/commands/schedule';

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    const code = await scheduleCommand.run(argv);
    return { code, stdout };
  } finally {
    spy.mockRestore();
  }
}

async function usageError(argv: string[]): Promise<UsageError> {
  try {
    await run(argv);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

const BASE = ['--tz', 'Europe/Berlin', '--country', 'DE', '--after', '2025-03-28T18:00:00Z'];

describe('outreach schedule', () => {
  test('prints the next allowed instant in local time and UTC', async () => {
    const { code, stdout } = await run(BASE);
    expect(code).toBe(0);
    expect(stdout).toBe('local  2025-03-31T09:00:00+02:00  (Monday, Europe/Berlin)\nutc    2025-03-31T07:00:00Z\n');
  });

  test('--json prints an object with local, utc, zone and weekday', async () => {
    const { code, stdout } = await run([...BASE, '--region', 'by', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      zone: 'Europe/Berlin',
      country: 'DE',
      region: 'BY',
      after: '2025-03-28T18:00:00.000Z',
      local: '2025-03-31T09:00:00+02:00',
      utc: '2025-03-31T07:00:00Z',
      weekday: 'Monday',
      localDate: '2025-03-31',
    });
  });

  test('several --window flags, a --key spreading inside them', async () => {
    const { stdout } = await run([...BASE, '--window', '08:00-10:00', '--window', '15:00-16:00', '--key', 'customer-7', '--json']);
    const out = JSON.parse(stdout) as { local: string; key: string };
    expect(out.key).toBe('customer-7');
    expect(out.local).toMatch(/^2025-03-31T(08|09|15):\d{2}:\d{2}\+02:00$/);
  });

  test('accepts an --after with an offset', async () => {
    const { stdout } = await run(['--tz', 'Asia/Tokyo', '--country', 'JP', '--after', '2025-06-07T08:30:00+09:00']);
    expect(stdout).toContain('local  2025-06-09T09:00:00+09:00  (Monday, Asia/Tokyo)');
  });

  test.each([
    ['missing --tz', ['--country', 'DE', '--after', '2025-03-28T18:00:00Z'], /missing required flag --tz/],
    ['missing --country', ['--tz', 'Europe/Berlin', '--after', '2025-03-28T18:00:00Z'], /missing required flag --country/],
    ['missing --after', ['--tz', 'Europe/Berlin', '--country', 'DE'], /missing required flag --after/],
    ['unknown zone', ['--tz', 'Mars/Olympus', '--country', 'DE', '--after', '2025-03-28T18:00:00Z'], /^--tz: unknown IANA time zone "Mars\/Olympus"/],
    ['bad --country', ['--tz', 'Europe/Berlin', '--country', 'XX', '--after', '2025-03-28T18:00:00Z'], /^--country: unknown country "XX"/],
    ['bad --region', [...BASE, '--region', 'NY'], /^--region: unknown region "NY" for country DE/],
    ['bad --after', ['--tz', 'Europe/Berlin', '--country', 'DE', '--after', 'next tuesday'], /^--after: expected an ISO-8601 instant/],
    ['--after without offset', ['--tz', 'Europe/Berlin', '--country', 'DE', '--after', '2025-03-28T18:00'], /^--after: .*got "2025-03-28T18:00"/],
    ['bad --window', [...BASE, '--window', '9-17'], /^--window: expected a local time range HH:mm-HH:mm/],
    ['--window across midnight', [...BASE, '--window', '22:00-02:00'], /^--window: "22:00-02:00" crosses midnight/],
    ['bad --holiday-types', [...BASE, '--holiday-types', 'public,national'], /^--holiday-types: /],
    ['unknown flag', [...BASE, '--zone', 'Europe/Berlin'], /Unknown option '--zone'/],
    ['stray argument', [...BASE, 'tomorrow'], /unexpected argument 'tomorrow'/],
  ])('%s exits 2 naming the flag', async (_name, argv, message) => {
    const err = await usageError(argv);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
  });

  test('describes itself for the command list', () => {
    expect(scheduleCommand.name).toBe('schedule');
    expect(scheduleCommand.usage).toContain('--tz <IANA zone>');
  });
});
