// Bad flags and hostile files for the `outreach` command line. Usage errors exit 2 and name the flag;
// bad input files exit 1 and name the file (and field or line). None may print a stack trace or touch
// the database (the runner points DATABASE_URL at a file that must never appear).
import type { CliCase } from '../types';

const SCHEDULE = ['schedule', '--country', 'DE'];
const AT = ['--after', '2026-03-02T08:00:00Z'];
const SIMULATE = ['sequence', 'simulate', '$REPO/sequences/onboarding.yaml'];

export const cliCases: CliCase[] = [
  // --- unknown commands and flags, missing values
  {
    id: 'cli-unknown-command', surface: 'cli', title: 'unknown command',
    input: { argv: ['frobnicate'] },
    expect: { exitCode: 2, stderr: /outreach: unknown command 'frobnicate'/ },
  },
  {
    id: 'cli-unknown-flag', surface: 'cli', title: 'unknown flag --timezone',
    input: { argv: [...SCHEDULE, '--timezone', 'UTC', ...AT] },
    expect: { exitCode: 2, stderr: /outreach schedule: Unknown option '--timezone'\nusage: outreach schedule/ },
  },
  {
    id: 'cli-flag-missing-value', surface: 'cli', title: '--tz with no value',
    input: { argv: [...SCHEDULE, ...AT, '--tz'] },
    expect: { exitCode: 2, stderr: /Option '--tz <value>' argument missing/ },
  },
  {
    id: 'cli-flag-empty-value', surface: 'cli', title: '--tz= (empty value)',
    input: { argv: [...SCHEDULE, ...AT, '--tz='] },
    expect: { exitCode: 2, stderr: /missing required flag --tz/ },
  },
  {
    id: 'cli-boolean-flag-with-value', surface: 'cli', title: '--json=yes on a boolean flag',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--json=yes'] },
    expect: { exitCode: 2, stderr: /Option '--json' does not take an argument/ },
  },
  {
    id: 'cli-stray-argument', surface: 'cli', title: 'stray positional argument',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', 'tomorrow'] },
    expect: { exitCode: 2, stderr: /unexpected argument 'tomorrow'/ },
  },
  // --- time zones
  {
    id: 'cli-unknown-time-zone', surface: 'cli', title: '--tz Mars/Phobos',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'Mars/Phobos'] },
    expect: { exitCode: 2, stderr: /--tz: unknown IANA time zone "Mars\/Phobos"/ },
  },
  {
    id: 'cli-time-zone-path-traversal', surface: 'cli', title: '--tz ../../etc/passwd',
    input: { argv: [...SCHEDULE, ...AT, '--tz', '../../etc/passwd'] },
    expect: { exitCode: 2, stderr: /--tz: unknown IANA time zone "\.\.\/\.\.\/etc\/passwd"/ },
  },
  {
    id: 'cli-time-zone-crlf', surface: 'cli', title: '--tz with CRLF inside',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'Europe/Berlin\r\nX-Injected: 1'] },
    expect: { exitCode: 2, stderr: /--tz: unknown IANA time zone/ },
  },
  // --- instants
  {
    id: 'cli-after-not-iso', surface: 'cli', title: '--after yesterday',
    input: { argv: [...SCHEDULE, '--tz', 'UTC', '--after', 'yesterday'] },
    expect: { exitCode: 2, stderr: /--after: expected an ISO-8601 instant with an offset or Z .*got "yesterday"/ },
  },
  {
    id: 'cli-after-without-offset', surface: 'cli', title: '--after without an offset',
    input: { argv: [...SCHEDULE, '--tz', 'UTC', '--after', '2026-03-02T09:00'] },
    expect: { exitCode: 2, stderr: /--after: expected an ISO-8601 instant with an offset or Z/ },
  },
  {
    id: 'cli-after-february-30', surface: 'cli', title: '--after on February 30',
    input: { argv: [...SCHEDULE, '--tz', 'UTC', '--after', '2026-02-30T09:00:00Z'] },
    expect: { exitCode: 2, stderr: /--after: .*got "2026-02-30T09:00:00Z"/ },
  },
  {
    id: 'cli-simulate-start-not-iso', surface: 'cli', title: 'sequence simulate --start tomorrow',
    input: { argv: [...SIMULATE, '--customer', '$FIX/cli/customer-berlin.json', '--start', 'tomorrow'] },
    expect: { exitCode: 2, stderr: /--start must be an ISO-8601 instant with a zone, .*\(got "tomorrow"\)/ },
  },
  // --- windows
  {
    id: 'cli-window-out-of-range', surface: 'cli', title: '--window 25:00-26:00',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--window', '25:00-26:00'] },
    expect: { exitCode: 2, stderr: /--window: "25:00-26:00" is not a valid time range/ },
  },
  {
    id: 'cli-window-reversed', surface: 'cli', title: '--window 17:00-09:00 (crosses midnight)',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--window', '17:00-09:00'] },
    expect: { exitCode: 2, stderr: /--window: "17:00-09:00" crosses midnight/ },
  },
  {
    id: 'cli-window-not-a-range', surface: 'cli', title: '--window 09:00 (no end)',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--window', '09:00'] },
    expect: { exitCode: 2, stderr: /--window: expected a local time range HH:mm-HH:mm/ },
  },
  {
    id: 'cli-window-missing-value', surface: 'cli', title: '--window with no value',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--window'] },
    expect: { exitCode: 2, stderr: /Option '--window <value>' argument missing/ },
  },
  {
    id: 'cli-holiday-types-unknown', surface: 'cli', title: '--holiday-types pagan',
    input: { argv: [...SCHEDULE, ...AT, '--tz', 'UTC', '--holiday-types', 'pagan'] },
    expect: { exitCode: 2, stderr: /--holiday-types: expected a comma-separated list of .*got "pagan"/ },
  },
  // --- path traversal and hostile files
  {
    id: 'cli-template-render-path-traversal', surface: 'cli', title: 'template render ../../etc/passwd',
    input: { argv: ['template', 'render', '../../etc/passwd', '--locale', 'en', '--dir', '$FIX/templates', '--out', '$TMP/out'] },
    expect: { exitCode: 1, stderr: /UNKNOWN_TEMPLATE: no template '\.\.\/\.\.\/etc\/passwd' in .*\(known: .*clean/ },
  },
  {
    id: 'cli-template-render-missing-locale', surface: 'cli', title: 'template render without --locale',
    input: { argv: ['template', 'render', 'clean', '--dir', '$FIX/templates'] },
    expect: { exitCode: 2, stderr: /missing required flag --locale/ },
  },
  {
    id: 'cli-template-render-data-not-json', surface: 'cli', title: 'template render --data pointing at a passwd-like file',
    input: { argv: ['template', 'render', 'clean', '--locale', 'en', '--dir', '$FIX/templates', '--data', '$FIX/cli/not-json.txt', '--out', '$TMP/out'] },
    expect: { exitCode: 1, stderr: /--data file .*not-json\.txt is not valid JSON/ },
  },
  {
    id: 'cli-template-lint-hostile-folder', surface: 'cli', title: 'template lint over the corpus templates',
    input: { argv: ['template', 'lint', '--dir', '$FIX/templates'] },
    expect: { exitCode: 1, stdout: /^partial\/en: \{\{> footer\}\}: partials are not supported/m, stderr: /template lint: \d+ problem\(s\) in / },
  },
  {
    id: 'cli-template-lint-missing-dir', surface: 'cli', title: 'template lint --dir that does not exist',
    input: { argv: ['template', 'lint', '--dir', '$TMP/no-such-folder'] },
    expect: { exitCode: 2, stderr: /--dir: no such folder '.*no-such-folder'/ },
  },
  {
    id: 'cli-template-preview-bad-port', surface: 'cli', title: 'template preview --port 99999',
    input: { argv: ['template', 'preview', '--port', '99999'] },
    expect: { exitCode: 2, stderr: /--port must be a port number \(got "99999"\)/ },
  },
  {
    id: 'cli-sequence-lint-template-traversal', surface: 'cli', title: 'sequence lint: template "../../etc/passwd"',
    input: { argv: ['sequence', 'lint', '$FIX/sequences/template-traversal.yaml'] },
    expect: { exitCode: 1, stdout: /template-traversal\.yaml:9:15: step "welcome": field "template": "\.\.\/\.\.\/etc\/passwd" is not valid/ },
  },
  {
    id: 'cli-sequence-lint-invalid-utf8', surface: 'cli', title: 'sequence lint: raw non-UTF-8 bytes',
    input: { argv: ['sequence', 'lint', '$FIX/sequences/invalid-utf8-description.yaml'] },
    expect: { exitCode: 1, stdout: /invalid-utf8-description\.yaml:3:\d+: the file is not valid UTF-8 here/ },
  },
  {
    id: 'cli-sequence-lint-billion-laughs', surface: 'cli', title: 'sequence lint: "billion laughs"',
    input: { argv: ['sequence', 'lint', '$FIX/sequences/billion-laughs.yaml'] },
    expect: { exitCode: 1, stdout: /billion-laughs\.yaml:1:1: YAML: Excessive alias count/ },
  },
  {
    id: 'cli-simulate-customer-null', surface: 'cli', title: 'sequence simulate --customer holding null',
    input: { argv: [...SIMULATE, '--customer', '$FIX/cli/null.json', '--start', '2026-03-02T08:00:00Z'] },
    expect: { exitCode: 1, stderr: /null\.json: must be an object with the API profile fields/ },
  },
  {
    id: 'cli-simulate-customer-unknown-zone', surface: 'cli', title: 'sequence simulate: customer in Mars/Olympus',
    input: { argv: [...SIMULATE, '--customer', '$FIX/cli/customer-mars.json', '--start', '2026-03-02T08:00:00Z'] },
    expect: { exitCode: 1, stderr: /customer-mars\.json: timeZone: unknown IANA time zone "Mars\/Olympus"/ },
  },
  {
    id: 'cli-migrate-from-version-not-a-number', surface: 'cli', title: 'sequence migrate --from-version abc',
    input: { argv: ['sequence', 'migrate', '$REPO/sequences/onboarding.yaml', '--from-version', 'abc'] },
    expect: { exitCode: 2, stderr: /--from-version must be a positive integer \(got "abc"\)/ },
  },
  {
    id: 'cli-migrate-map-malformed', surface: 'cli', title: 'sequence migrate --map a-b',
    input: { argv: ['sequence', 'migrate', '$REPO/sequences/onboarding.yaml', '--map', 'a-b'] },
    expect: { exitCode: 2, stderr: /--map: "a-b" is not old-step=new-step/ },
  },
  {
    id: 'cli-customer-upsert-crlf-name', surface: 'cli', title: 'customer upsert: CRLF in givenName',
    input: { argv: ['customer', 'upsert', '--file', '$FIX/cli/customer-crlf.json'] },
    expect: { exitCode: 1, stderr: /customer-crlf\.json: givenName: must not contain control characters or line breaks/ },
  },
  {
    id: 'cli-customer-upsert-script-name', surface: 'cli', title: 'customer upsert: script tag in givenName',
    input: { argv: ['customer', 'upsert', '--file', '$FIX/cli/customer-script.json'] },
    expect: { exitCode: 1, stderr: /customer-script\.json: givenName: must not contain < or >/ },
  },
  {
    id: 'cli-customer-upsert-broken-json', surface: 'cli', title: 'customer upsert: truncated JSON',
    input: { argv: ['customer', 'upsert', '--file', '$FIX/cli/broken.json'] },
    expect: { exitCode: 2, stderr: /--file .*broken\.json: not valid JSON/ },
  },
  {
    id: 'cli-event-send-empty-batch', surface: 'cli', title: 'event send: { "events": [] }',
    input: { argv: ['event', 'send', '--file', '$FIX/cli/events-empty.json'] },
    expect: { exitCode: 2, stderr: /--file .*events-empty\.json: "events" must be a non-empty array/ },
  },
  {
    id: 'cli-apikey-unknown-scope', surface: 'cli', title: 'apikey create --scopes admin',
    input: { argv: ['apikey', 'create', '--name', 'ci', '--scopes', 'admin'] },
    expect: { exitCode: 2, stderr: /--scopes must list ingest and\/or ops .*got "admin"/ },
  },
  // --- the real binary
  {
    id: 'cli-bin-unknown-flag', surface: 'cli', title: 'node bin/outreach.js schedule --zone UTC',
    input: { spawn: true, argv: [...SCHEDULE, '--zone', 'UTC', ...AT] },
    expect: { exitCode: 2, stderr: /outreach schedule: Unknown option '--zone'/ },
  },
  {
    id: 'cli-bin-after-local-time', surface: 'cli', title: 'node bin/outreach.js schedule --after 09:00 (a time, not an instant)',
    input: { spawn: true, argv: [...SCHEDULE, '--tz', 'UTC', '--after', '09:00'] },
    expect: { exitCode: 2, stderr: /--after: expected an ISO-8601 instant with an offset or Z .*got "09:00"/ },
  },
  {
    id: 'cli-schedule-after-year-1', surface: 'cli', title: 'schedule --after in the year 1',
    input: { argv: [...SCHEDULE, '--tz', 'UTC', '--after', '0001-01-01T00:00:00Z'] },
    expect: { exitCode: 2, stderr: /--after: "0001-01-01T00:00:00Z" is outside the years 1970-2100/ },
  },
  {
    id: 'cli-schedule-after-year-9999', surface: 'cli', title: 'schedule --after in the year 9999',
    input: { argv: [...SCHEDULE, '--tz', 'UTC', '--after', '9999-12-31T23:00:00Z'] },
    expect: { exitCode: 2, stderr: /--after: "9999-12-31T23:00:00Z" is outside the years 1970-2100/ },
  },
  {
    id: 'cli-simulate-start-year-1', surface: 'cli', title: 'sequence simulate --start in the year 1',
    input: { argv: ['sequence', 'simulate', '$REPO/sequences/onboarding.yaml', '--customer', '$FIX/cli/customer-berlin.json', '--start', '0001-03-02T08:00:00Z'] },
    expect: { exitCode: 2, stderr: /--start: "0001-03-02T08:00:00Z" is outside the years 1970-2100/ },
  },
  {
    id: 'cli-template-render-locale-path', surface: 'cli', title: 'template render --locale ../../etc',
    input: { argv: ['template', 'render', 'onboarding-welcome', '--locale', '../../etc'] },
    expect: { exitCode: 2, stderr: /--locale: "\.\.\/\.\.\/etc" is not a locale tag/ },
  },
  {
    id: 'cli-customer-upsert-id-crlf', surface: 'cli', title: 'customer upsert --id with CRLF',
    input: { argv: ['customer', 'upsert', '--id', 'a\r\nb', '--file', '$FIX/cli/customer-berlin.json'] },
    expect: { exitCode: 2, stderr: /--id must not contain control characters/ },
  },
  {
    id: 'cli-bin-template-path-traversal', surface: 'cli', title: 'node bin/outreach.js template render ../../etc/passwd',
    input: { spawn: true, argv: ['template', 'render', '../../etc/passwd', '--locale', 'en', '--dir', '$FIX/templates'] },
    expect: { exitCode: 1, stderr: /UNKNOWN_TEMPLATE: no template '\.\.\/\.\.\/etc\/passwd'/ },
  },
];
