// The sequence language's parser and validator: shipped sequences lint clean against the real
// templates; each class of mistake gives its message with file, step, field, line and column; every
// problem of a file is reported at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateRenderer } from '../../activities/render';
import {
  formatProblem,
  lintSequence,
  parseSequence,
  SequenceError,
  validateDefinition,
  type TemplateCatalog,
} from '../../domain/sequence/parse';
import { SequenceRegistry } from '../../domain/sequence/registry';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { hasLocale, templateCatalog } from '../../domain/sequence/validate';
import { closest } from '../../domain/sequence/suggest';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = 'test/sequence/fixtures';

/** A small catalog standing in for the renderer: the parser only needs has/locales/names. */
function fakeCatalog(templates: Record<string, string[]>): TemplateCatalog {
  return { has: (n) => n in templates, locales: (n) => templates[n] ?? [], names: () => Object.keys(templates) };
}
const catalog = fakeCatalog({
  'onboarding-welcome': ['en'],
  'onboarding-tips-1': ['en', 'de'],
  'onboarding-tips-2': ['en', 'de'],
  'periodic-checkin': ['en', 'de'],
  'csat-survey': ['en', 'de'],
  'survey-reminder': ['en', 'de'],
  'survey-thanks': ['en', 'de'],
});

/** `null`: lint without a template catalog. */
function lintFixture(name: string, templates: TemplateCatalog | null = catalog): string[] {
  const file = `${FIXTURES}/${name}`;
  return lintSequence(fs.readFileSync(path.join(ROOT, file), 'utf8'), file, { templates: templates ?? undefined }).problems.map(formatProblem);
}

describe('shipped sequences', () => {
  const dir = path.join(ROOT, 'sequences');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const real = templateCatalog(new TemplateRenderer());

  it('ships onboarding, post-purchase, loyalty, support-follow-up and call-follow-up', () => {
    expect(files.sort()).toEqual(['call-follow-up.yaml', 'loyalty.yaml', 'onboarding.yaml', 'post-purchase.yaml', 'support-follow-up.yaml']);
  });

  it.each(files)('%s lints clean against the real templates and their locales', (f) => {
    const result = lintSequence(fs.readFileSync(path.join(dir, f), 'utf8'), `sequences/${f}`, { templates: real });
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.definition?.locales?.length).toBeGreaterThan(0);
  });

  it('onboarding keeps what the end-to-end test depends on', () => {
    const def = parseSequence(fs.readFileSync(path.join(dir, 'onboarding.yaml'), 'utf8'), 'onboarding.yaml');
    expect(def.id).toBe('onboarding');
    expect(def.trigger.event).toBe('signup');
    expect(def.steps[0]).toEqual({ id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' });
    expect(def.exit?.events).toContain('unsubscribed');
  });

  it('post-purchase and support-follow-up enter once per order and per ticket', () => {
    const load = (f: string) => parseSequence(fs.readFileSync(path.join(dir, f), 'utf8'), f);
    expect(load('post-purchase.yaml').entry).toEqual({ mode: 'oncePerKey', key: 'orderId' });
    expect(load('support-follow-up.yaml').entry).toEqual({ mode: 'oncePerKey', key: 'ticketId' });
    expect(load('loyalty.yaml').trigger).toEqual({ event: 'purchase', milestone: { count: [5, 10] } });
  });

  it('the registry loads the folder with the template catalog', () => {
    const registry = SequenceRegistry.fromDirectory(dir, { templates: real });
    expect(registry.all().map((d) => d.id).sort()).toEqual(['call-follow-up', 'loyalty', 'onboarding', 'post-purchase', 'support-follow-up']);
    expect(registry.triggeredBy('purchase').map((d) => d.id).sort()).toEqual(['loyalty', 'post-purchase']);
  });
});

describe('one fixture per class of mistake', () => {
  const cases: Array<[string, string[]]> = [
    ['yaml-syntax.yaml', [
      `${FIXTURES}/yaml-syntax.yaml:9:5: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]],
    ['unknown-field.yaml', [
      `${FIXTURES}/unknown-field.yaml:5:3: field "trigger.wher": unknown field "wher" (did you mean "where"?); allowed here: event, where, milestone`,
      `${FIXTURES}/unknown-field.yaml:7:5: step "welcome": field "template": missing (required)`,
      `${FIXTURES}/unknown-field.yaml:9:5: step "welcome": field "tempalte": unknown field "tempalte" (did you mean "template"?); allowed here: id, type, template, category, at, next`,
    ]],
    ['missing-field.yaml', [
      `${FIXTURES}/missing-field.yaml:1:1: field "version": missing (required)`,
      `${FIXTURES}/missing-field.yaml:1:1: field "trigger": missing (required)`,
      `${FIXTURES}/missing-field.yaml:3:5: step "welcome": field "category": missing (required)`,
      `${FIXTURES}/missing-field.yaml:6:5: step #2: field "id": missing (required): every step needs an id`,
    ]],
    ['wrong-type.yaml', [
      `${FIXTURES}/wrong-type.yaml:2:10: field "version": must be a whole number from 1 to 1000000, got the text "one"`,
      `${FIXTURES}/wrong-type.yaml:8:23: step "pause": field "duration.days": must be a whole number, got the text "2"`,
      `${FIXTURES}/wrong-type.yaml:12:15: step "welcome": field "category": must be one of marketing, transactional, survey, got a list`,
    ]],
    ['unknown-step-type.yaml', [
      `${FIXTURES}/unknown-step-type.yaml:7:11: step "welcome": field "type": unknown step type "sned" (did you mean "send"?); step types: send, wait, waitUntil, waitForEvent, branch, split, survey, end`,
    ]],
    ['duplicate-id.yaml', [
      `${FIXTURES}/duplicate-id.yaml:10:9: step "hello": field "id": duplicate step id "hello" (already used by step 1)`,
    ]],
    ['unknown-jump.yaml', [
      `${FIXTURES}/unknown-jump.yaml:10:11: step "welcome": field "next": unknown step "tips" (did you mean "tips-1"?)`,
    ]],
    ['backward-jump.yaml', [
      `${FIXTURES}/backward-jump.yaml:18:11: step "tips": field "next": jumps back to "welcome" (step 1); jumps must go forward to a later step so that every sequence ends`,
    ]],
    ['unreachable.yaml', [
      `${FIXTURES}/unreachable.yaml:11:5: step "forgotten": step is never reached: no step jumps to it and the step before it jumps elsewhere with next`,
    ]],
    ['branch-without-otherwise.yaml', [
      `${FIXTURES}/branch-without-otherwise.yaml:6:5: step "plan": field "otherwise": missing (required): a branch needs otherwise, the step for customers no case matches`,
    ]],
    ['split-percent.yaml', [
      `${FIXTURES}/split-percent.yaml:8:5: step "ab": field "variants": percentages must add up to 100 (variants plus holdout), but 50 + 40 plus holdout 5 = 95`,
    ]],
    ['bad-wait.yaml', [
      `${FIXTURES}/bad-wait.yaml:8:23: step "negative": field "duration.days": must not be negative, got -2`,
      `${FIXTURES}/bad-wait.yaml:11:15: step "zero": field "duration": a wait has zero length; give a positive amount (or remove the step)`,
      `${FIXTURES}/bad-wait.yaml:14:15: step "absurd": field "duration": a wait of about 500 days is longer than the 400-day limit`,
    ]],
    ['too-long.yaml', [
      `${FIXTURES}/too-long.yaml:5:1: field "steps": the slowest path (year-1 → year-2 → year-3) can take about 1140 days; a sequence must finish within 1095 days (3 years)`,
    ]],
    ['bad-time.yaml', [
      `${FIXTURES}/bad-time.yaml:8:11: step "morning": field "time": must be a local time of day as HH:mm (24-hour, e.g. "09:30"), got the text "25:00"`,
      `${FIXTURES}/bad-time.yaml:9:19: step "morning": field "weekdays[2]": weekday must be from 1 (Monday) to 7 (Sunday), got the number 8`,
    ]],
    ['bad-condition.yaml', [
      `${FIXTURES}/bad-condition.yaml:5:38: field "trigger.where.op": unknown op "equals": write eq`,
      `${FIXTURES}/bad-condition.yaml:10:54: step "plan": field "cases[1].when.value": with op in, value must be a non-empty list, got the text "pro"`,
      `${FIXTURES}/bad-condition.yaml:12:15: step "plan": field "cases[2].when": a condition is either { field, op, value } or one of all / any / not, not several (found all, field)`,
    ]],
    ['condition-context.yaml', [
      `${FIXTURES}/condition-context.yaml:11:21: step "activated": field "where.field": "customer.plan" is not available here: a waitForEvent filter sees only the awaited event (event.*)`,
      `${FIXTURES}/condition-context.yaml:18:24: step "score": field "cases[1].when.field": "survey.score" is empty here: not every path to this branch passes a survey step`,
      `${FIXTURES}/condition-context.yaml:20:24: step "score": field "cases[2].when.field": custom attributes are read as customer.plan, not "customer.attributes.plan"`,
      `${FIXTURES}/condition-context.yaml:29:12: step "gone": field "event": "unsubscribed" is an exit event: the sequence exits when it arrives, so this step could never see it`,
    ]],
    ['unknown-template.yaml', [
      `${FIXTURES}/unknown-template.yaml:12:15: step "tips-1": field "template": unknown template "onboarding-tip" (did you mean "onboarding-tips-1"?)`,
    ]],
    ['missing-locale.yaml', [
      `${FIXTURES}/missing-locale.yaml:9:15: step "welcome": field "template": template "onboarding-welcome" has no "de" version (it has: en); the sequence targets en, de`,
    ]],
  ];

  it('covers every fixture file', () => {
    const files = fs.readdirSync(path.join(ROOT, FIXTURES)).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual([...cases.map(([f]) => f), 'all-problems.yaml'].sort());
  });

  it.each(cases)('%s', (fixture, expected) => {
    expect(lintFixture(fixture)).toEqual(expected);
  });

  it('checks templates only when a catalog is given', () => {
    expect(lintFixture('unknown-template.yaml', null)).toEqual([]);
    expect(lintFixture('missing-locale.yaml', null)).toEqual([]);
  });

  it('requiredLocales adds locales every template must have', () => {
    const text = fs.readFileSync(path.join(ROOT, FIXTURES, 'unknown-jump.yaml'), 'utf8').replace('next: tips', 'next: tips-1');
    const { problems } = lintSequence(text, 'x.yaml', { templates: catalog, requiredLocales: ['de'] });
    expect(problems.map(formatProblem)).toEqual([
      'x.yaml:8:15: step "welcome": field "template": template "onboarding-welcome" has no "de" version (it has: en); the sequence targets de',
    ]);
  });
});

describe('all problems at once', () => {
  it('reports every independent mistake of a file, sorted by position', () => {
    const lines = lintFixture('all-problems.yaml');
    const f = `${FIXTURES}/all-problems.yaml`;
    expect(lines).toEqual([
      `${f}:2:5: field "id": "All Problems" is not valid: lowercase letters, digits and dashes, at most 64 characters`,
      `${f}:3:10: field "version": must be from 1 to 1000000, got 0`,
      `${f}:7:9: field "entry.mode": must be one of oncePerCustomer, oncePerKey, reenterAfter, got the text "oncePerKy" (did you mean "oncePerKey"?)`,
      `${f}:12:15: step "welcome": field "category": must be one of marketing, transactional, survey, got the text "marketting" (did you mean "marketing"?)`,
      `${f}:15:17: step "pause": field "duration.weeks": unknown field "weeks": write weeks as days (days: 14 for two weeks)`,
      `${f}:16:9: step "pause": field "id": duplicate step id "pause" (already used by step 2)`,
      `${f}:18:11: step "pause": field "time": must be a local time of day as HH:mm (24-hour, e.g. "09:30"), got the text "9:00"`,
      `${f}:21:5: step "ab": field "variants": percentages must add up to 100 (variants plus holdout), but 60 + 60 = 120`,
      `${f}:23:39: step "ab": field "variants[2].next": jumps back to "welcome" (step 1); jumps must go forward to a later step so that every sequence ends`,
    ]);
  });

  it('parseSequence throws one SequenceError carrying every problem, as text and as data', () => {
    const file = `${FIXTURES}/all-problems.yaml`;
    let error: unknown;
    try {
      parseSequence(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SequenceError);
    const e = error as SequenceError;
    expect(e.file).toBe(file);
    expect(e.problems).toHaveLength(9);
    expect(e.message.split('\n')).toEqual(e.problems);
    expect(e.details[3]).toMatchObject({ line: 12, column: 15, step: 'welcome', field: 'category' });
  });

  it('keeps the registry-style constructor: plain strings are prefixed with the file', () => {
    const e = new SequenceError('onboarding', ['duplicate sequence id "onboarding"']);
    expect(e.problems).toEqual(['onboarding: duplicate sequence id "onboarding"']);
    expect(e.message).toBe('onboarding: duplicate sequence id "onboarding"');
  });

  it('the registry fails loudly on a bad file, naming template problems when given a catalog', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sequences-'));
    try {
      fs.copyFileSync(path.join(ROOT, FIXTURES, 'unknown-template.yaml'), path.join(dir, 'a.yaml'));
      expect(() => SequenceRegistry.fromDirectory(dir)).not.toThrow();
      expect(() => SequenceRegistry.fromDirectory(dir, { templates: catalog })).toThrow(/a\.yaml:12:15: step "tips-1": field "template": unknown template "onboarding-tip"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the rest of the language', () => {
  it('accepts every step type and optional field', () => {
    const file = `${FIXTURES}/valid/every-feature.yaml`;
    const { problems, definition } = lintSequence(fs.readFileSync(path.join(ROOT, file), 'utf8'), file, {
      templates: fakeCatalog({ ...Object.fromEntries(['onboarding-welcome', 'csat-survey', 'survey-reminder', 'periodic-checkin', 'survey-thanks'].map((t) => [t, ['en']])) }),
    });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(definition?.steps.map((s) => s.type)).toEqual(['send', 'waitUntil', 'split', 'wait', 'wait', 'waitForEvent', 'survey', 'branch', 'send', 'send', 'end']);
  });

  it('defaults entry to once per customer', () => {
    const def = parseSequence('id: x\nversion: 1\ntrigger: { event: signup }\nsteps:\n  - { id: a, type: end }\n', 'x.yaml');
    expect(def.entry).toEqual({ mode: 'oncePerCustomer' });
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(lintSequence('# nothing\n', 'e.yaml').problems.map(formatProblem)).toEqual(['e.yaml:1:1: the file is empty: a sequence needs id, version, trigger and steps']);
    expect(lintSequence('- a\n- b\n', 'l.yaml').problems.map(formatProblem)).toEqual(['l.yaml:1:1: must be a mapping with id, version, trigger and steps, got a list']);
  });

  it('refuses next where it would never be used, and business days where they are not measured', () => {
    const text = [
      'id: x', 'version: 1', 'trigger: { event: signup }',
      'entry: { mode: reenterAfter, period: { businessDays: 5 } }',
      'steps:',
      '  - { id: a, type: split, variants: [{ name: a, percent: 100, next: b }], next: b }',
      '  - { id: b, type: end }',
    ].join('\n');
    expect(lintSequence(text, 'x.yaml').problems.map(formatProblem)).toEqual([
      'x.yaml:4:40: field "entry.period.businessDays": the re-entry period cannot use businessDays (it is measured in calendar time); use days, hours or minutes',
      'x.yaml:6:75: step "a": field "next": a split continues at the next of the chosen variant; "next" would never be used',
    ]);
  });

  it('catches a survey reminder that would come after the answer window', () => {
    const text = 'id: x\nversion: 1\ntrigger: { event: signup }\nsteps:\n  - id: s\n    type: survey\n    kind: csat\n    template: csat-survey\n    window: { days: 3 }\n    reminder: { afterBusinessDays: 3, template: survey-reminder }\n';
    expect(lintSequence(text, 'x.yaml').problems.map(formatProblem)).toEqual([
      'x.yaml:10:36: step "s": field "reminder.afterBusinessDays": the reminder (after 3 business days) would come after the answer window closes (3 day(s)); shorten it or lengthen window',
    ]);
  });

  it('validateDefinition checks definitions built in code by the same rules, without positions', () => {
    const good: SequenceDefinition = {
      id: 'in-code', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
      steps: [{ id: 'hi', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
    };
    expect(validateDefinition(good, { templates: catalog })).toEqual([]);
    const bad = { ...good, steps: [...good.steps, { id: 'loop', type: 'wait', duration: { days: 1 }, next: 'hi' }] };
    expect(validateDefinition(bad).map(formatProblem)).toEqual([
      'sequence "in-code": step "loop": field "next": jumps back to "hi" (step 1); jumps must go forward to a later step so that every sequence ends',
    ]);
    expect(validateDefinition(good, { templates: fakeCatalog({}), file: 'built-in' }).map(formatProblem)).toEqual([
      'built-in: step "hi": field "template": unknown template "onboarding-welcome"',
    ]);
  });

  it('points at the anchor for problems inside YAML aliases', () => {
    const text = 'id: x\nversion: 1\ntrigger: { event: signup }\nsteps:\n  - id: a\n    type: wait\n    duration: &d { days: -1 }\n  - id: b\n    type: wait\n    duration: *d\n';
    expect(lintSequence(text, 'x.yaml').problems.map(formatProblem)).toEqual([
      'x.yaml:7:26: step "a": field "duration.days": must not be negative, got -1',
      'x.yaml:7:26: step "b": field "duration.days": must not be negative, got -1',
    ]);
  });
});

describe('docs/sequences.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/sequences.md'), 'utf8');

  it('its complete example lints clean against the real templates', () => {
    const example = /## A complete example\s+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { problems, definition } = lintSequence(example!, 'docs/sequences.md', { templates: templateCatalog(new TemplateRenderer()) });
    expect(problems.map(formatProblem)).toEqual([]);
    // "Complete": it uses every step type.
    expect(new Set(definition!.steps.map((s) => s.type))).toEqual(new Set(['send', 'wait', 'waitUntil', 'waitForEvent', 'branch', 'split', 'survey', 'end']));
  });

  it('documents every step type and every top-level field', () => {
    for (const heading of ['### send', '### wait', '### waitUntil', '### waitForEvent', '### branch', '### split', '### survey', '### end']) {
      expect(doc).toContain(heading);
    }
    for (const field of ['`id`', '`version`', '`description`', '`locales`', '`trigger`', '`entry`', '`exit`', '`goal`', '`steps`']) {
      expect(doc).toContain(`| ${field} |`);
    }
  });
});

describe('helpers', () => {
  it('a template covers a locale through its language, as the renderer falls back', () => {
    expect(hasLocale(['en', 'de'], 'de-AT')).toBe(true);
    expect(hasLocale(['pt-PT'], 'pt-BR')).toBe(true);
    expect(hasLocale(['en'], 'de')).toBe(false);
  });

  it('suggests near misses and prefixes, not unrelated names', () => {
    expect(closest('onboarding-tip', ['onboarding-tips-1', 'nps-survey'])).toBe('onboarding-tips-1');
    expect(closest('waitforevent', ['waitForEvent', 'wait'])).toBe('waitForEvent');
    expect(closest('banana', ['send', 'wait'])).toBeUndefined();
  });
});
