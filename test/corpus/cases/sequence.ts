// Hostile sequence files. Each must be refused with a problem naming file, line, column and, where
// there is one, the field; the parser must neither throw nor echo huge values back.
import type { SequenceCase } from '../types';

/** A valid sequence (every case below breaks one thing in it). Line numbers: id 1, trigger 4, steps 6, first step 7. */
const BASE = `id: hostile
version: 1
description: A sequence with one hostile value.
trigger:
  event: signup
steps:
  - id: welcome
    type: send
    template: onboarding-welcome
    category: transactional
`;
const edit = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`corpus: "${from}" is not in the base sequence`);
  return BASE.replace(from, to);
};
const withStep = (step: string) => BASE + step;

export const sequenceCases: SequenceCase[] = [
  // --- YAML-level attacks and mistakes
  {
    id: 'seq-duplicate-top-level-key', surface: 'sequence', title: 'duplicate "id" key',
    input: { text: edit('version: 1\n', 'id: other\nversion: 1\n') },
    expect: { line: 2, message: /YAML: Map keys must be unique/ },
  },
  {
    id: 'seq-duplicate-step-key', surface: 'sequence', title: 'duplicate "template" key inside a step',
    input: { file: 'duplicate-keys.yaml' },
    expect: { line: 11, message: /YAML: Map keys must be unique/ },
  },
  {
    id: 'seq-billion-laughs', surface: 'sequence', title: '"billion laughs" alias bomb',
    input: { file: 'billion-laughs.yaml' },
    expect: { line: 1, message: /YAML: Excessive alias count indicates a resource exhaustion attack/ },
  },
  {
    id: 'seq-invalid-utf8-description', surface: 'sequence', title: 'raw non-UTF-8 bytes in the description',
    input: { file: 'invalid-utf8-description.yaml' },
    expect: { line: 3, message: /the file is not valid UTF-8 here .*save it as UTF-8/ },
  },
  {
    id: 'seq-invalid-utf8-id', surface: 'sequence', title: 'raw non-UTF-8 bytes in the id',
    input: { file: 'invalid-utf8-id.yaml' },
    expect: { line: 1, message: /not valid UTF-8/ },
  },
  {
    id: 'seq-js-function-tag', surface: 'sequence', title: '!!js/function tag',
    input: { text: edit('version: 1', 'version: !!js/function "function () { return 1 }"') },
    expect: { line: 2, message: /YAML: Unresolved tag: tag:yaml.org,2002:js\/function/ },
  },
  {
    id: 'seq-two-documents', surface: 'sequence', title: 'a second YAML document after ---',
    input: { text: `${BASE}---\nid: smuggled\n` },
    expect: { line: 11, message: /YAML: Source contains multiple documents/ },
  },
  // --- path traversal and header injection through template names
  {
    id: 'seq-template-path-traversal', surface: 'sequence', title: 'template "../../etc/passwd" (no catalog to check against)',
    input: { file: 'template-traversal.yaml' },
    expect: { line: 9, field: 'template', message: /"\.\.\/\.\.\/etc\/passwd" is not valid: a template folder name/ },
  },
  {
    id: 'seq-reminder-template-traversal', surface: 'sequence', title: 'survey reminder template "../_shared/locales" (with the catalog)',
    input: {
      templates: true,
      text: withStep(`  - id: csat
    type: survey
    kind: csat
    template: csat-survey
    reminder: { afterBusinessDays: 2, template: ../_shared/locales }
`),
    },
    expect: { line: 15, field: 'reminder.template', message: /no dots, slashes or spaces/ },
  },
  {
    id: 'seq-template-crlf', surface: 'sequence', title: 'CRLF inside a template name',
    input: { text: edit('template: onboarding-welcome', 'template: "onboarding-welcome\\r\\nBcc: x"') },
    expect: { line: 9, field: 'template', message: /is not valid: a template folder name/ },
  },
  // --- prototype pollution keys
  {
    id: 'seq-proto-key', surface: 'sequence', title: '"__proto__" as a top-level key',
    input: { text: `${BASE}__proto__:\n  polluted: true\n` },
    expect: { line: 11, field: '__proto__', message: /unknown field "__proto__"; allowed here: id, version/ },
  },
  {
    id: 'seq-constructor-key-in-duration', surface: 'sequence', title: '"constructor" inside a wait duration',
    input: { text: withStep('  - id: pause\n    type: wait\n    duration: { constructor: 1, days: 2 }\n') },
    expect: { line: 13, field: 'duration.constructor', message: /unknown field "constructor"; allowed here: days, hours, minutes/ },
  },
  {
    id: 'seq-condition-proto-path', surface: 'sequence', title: 'condition on customer.__proto__.isAdmin',
    input: { text: edit('  event: signup\n', '  event: signup\n  where: { field: customer.__proto__.isAdmin, op: exists }\n') },
    expect: { line: 6, field: 'trigger.where.field', message: /reads "__proto__", an object internal, not a field/ },
  },
  {
    id: 'seq-condition-constructor-path', surface: 'sequence', title: 'condition on event.constructor',
    input: { text: edit('  event: signup\n', '  event: signup\n  where: { field: event.constructor, op: exists }\n') },
    expect: { line: 6, field: 'trigger.where.field', message: /reads "constructor", an object internal/ },
  },
  // --- numbers as strings, null where mappings are expected
  {
    id: 'seq-version-as-string', surface: 'sequence', title: 'version "2" (a number as a string)',
    input: { text: edit('version: 1', 'version: "2"') },
    expect: { line: 2, field: 'version', message: /must be a whole number from 1 to 1000000, got the text "2"/ },
  },
  {
    id: 'seq-wait-days-as-string', surface: 'sequence', title: 'wait days "3" (a number as a string)',
    input: { text: withStep('  - id: pause\n    type: wait\n    duration: { days: "3" }\n') },
    expect: { line: 13, field: 'duration.days', message: /must be a whole number, got the text "3"/ },
  },
  {
    id: 'seq-trigger-null', surface: 'sequence', title: 'trigger: null',
    input: { text: edit('trigger:\n  event: signup\n', 'trigger: null\n') },
    expect: { line: 4, field: 'trigger', message: /must be a mapping with event .*got nothing/ },
  },
  {
    id: 'seq-root-is-list', surface: 'sequence', title: 'a list instead of a mapping',
    input: { text: '- id: hostile\n- version: 1\n' },
    expect: { line: 1, message: /must be a mapping with id, version, trigger and steps, got a list/ },
  },
  // --- script tags, extremely long strings, absurd numbers
  {
    id: 'seq-step-id-script-tag', surface: 'sequence', title: 'script tag as a step id',
    input: { text: edit('id: welcome', 'id: "<script>alert(1)</script>"') },
    expect: { line: 7, field: 'id', message: /"<script>alert\(1\)<\/script>" is not valid: lowercase letters, digits/ },
  },
  {
    id: 'seq-event-name-script-tag', surface: 'sequence', title: 'script tag in the trigger event name',
    input: { text: edit('event: signup', 'event: "signup<script>"') },
    expect: { line: 5, field: 'trigger.event', message: /is not valid: an event name/ },
  },
  {
    id: 'seq-id-10k-chars', surface: 'sequence', title: 'sequence id of 10,000 characters',
    input: { text: edit('id: hostile', `id: ${'a'.repeat(10_000)}`) },
    expect: { line: 1, field: 'id', message: /"a{60}\.\.\." \(10000 characters\) is not valid/ },
  },
  {
    id: 'seq-wait-1e308-days', surface: 'sequence', title: 'wait of 1e308 days',
    input: { text: withStep('  - id: pause\n    type: wait\n    duration: { days: 1e308 }\n') },
    expect: { line: 13, field: 'duration', message: /longer than the 400-day limit/ },
  },
  {
    id: 'seq-wait-until-25-99', surface: 'sequence', title: 'waitUntil time "25:99"',
    input: { text: withStep('  - id: morning\n    type: waitUntil\n    time: "25:99"\n') },
    expect: { line: 13, field: 'time', message: /must be a local time of day as HH:mm/ },
  },
];
