// The rules of the sequence language, checked on plain data: the output of YAML parsing or a
// definition built in code. Every rule adds a finding at a path and keeps going, so a marketer sees
// every problem of a file in one run instead of fixing them one at a time. Positions (line and
// column) are attached by parse.ts, which alone knows the YAML document.
//
// Besides the shape of each field, the checks that keep a running sequence safe:
// - every jump goes forward, which makes the steps a DAG: a sequence always ends;
// - every step can be reached and every branch has a way out (`otherwise`);
// - waits are bounded (one wait at most 400 days, the longest path at most 3 years);
// - conditions only read what the engine puts in their context at that place;
// - templates exist and have every locale the sequence targets (through an injected catalog).
import type { Path, Anchor } from './positions';
import { closest, didYouMean } from './suggest';
import { describeDuration } from './durations';
import type { ComparisonOp, StepType, WaitDuration } from './types';

/** What the validator needs to know about templates; the renderer (activities/render) provides it. */
export interface TemplateCatalog {
  has(name: string): boolean;
  /** The locales a template has a version for, e.g. ["en", "de", "pt-BR"]. */
  locales(name: string): string[];
  /** Every template name, for "did you mean" hints. Optional: without it unknown names get no hint. */
  names?(): string[];
}

export interface ValidateOptions {
  /** When given, every template a sequence names must exist here. */
  templates?: TemplateCatalog;
  /** Locales every template of every sequence must have, on top of a sequence's own `locales`. */
  requiredLocales?: string[];
}

/** One problem at a path of the document; parse.ts turns it into a positioned SequenceProblem. */
export interface Finding {
  path: Path;
  /** `key` when the field name itself is wrong (an unknown field), else the value. */
  anchor: Anchor;
  message: string;
}

/** The longest single wait (wait, timeout, survey window, re-entry period, goal window). */
export const MAX_WAIT_DAYS = 400;
/** The longest a customer can spend in one sequence, along its slowest path. */
export const MAX_TOTAL_DAYS = 3 * 365;
const MAX_STEPS = 200;
/** The engine's answer window when a survey step gives none (workflows/sequence/steps.ts). */
export const DEFAULT_SURVEY_WINDOW_DAYS = 14;
const MAX_CONDITION_DEPTH = 10;

const SEQUENCE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
// Dots are reserved: the engine names a survey's reminder send `<step id>.reminder`.
const STEP_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// The same rule the API applies to incoming event names (client/api/server.ts).
const EVENT_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const FIELD_PATH = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$-]+)*$/;
/** Object internals a condition path could reach through (`customer.constructor` always "exists"). */
const INTERNAL_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
// A template is a folder of the templates directory: no dots, slashes or spaces, so a name can never
// climb out of it (`../../etc/passwd`), even where no catalog is given to check names against.
const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const TEMPLATE_RULE = 'a template folder name: letters, digits, - and _ (no dots, slashes or spaces)';

export const STEP_TYPES: readonly StepType[] = ['send', 'wait', 'waitUntil', 'waitForEvent', 'branch', 'split', 'survey', 'end'];
const OPS: readonly ComparisonOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'exists', 'contains'];
/** What people write instead of the op names, from other languages and query tools. */
const OP_ALIASES: Record<string, ComparisonOp> = {
  '==': 'eq', '=': 'eq', '===': 'eq', equals: 'eq', equal: 'eq', is: 'eq',
  '!=': 'ne', '<>': 'ne', '!==': 'ne', notEquals: 'ne', not: 'ne',
  '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte',
  nin: 'notIn', not_in: 'notIn', notin: 'notIn', includes: 'contains', has: 'contains',
};
/** The fields of `survey.*` (workflows/sequence/messages.ts SurveyAnswer plus the survey kind). */
const SURVEY_FIELDS = ['score', 'comment', 'kind'];
/** Profile fields that stay out of condition contexts: conditions never see personal data. */
const PERSONAL_FIELDS = ['email', 'givenName', 'familyName', 'title', 'gender', 'name'];

interface StepRule {
  required: string[];
  optional: string[];
  /** Whether the step continues to the following step when it has no `next`. */
  fallsThrough: boolean;
}

const STEP_RULES: Record<StepType, StepRule> = {
  send: { required: ['template', 'category'], optional: ['at', 'next'], fallsThrough: true },
  wait: { required: ['duration'], optional: ['next'], fallsThrough: true },
  waitUntil: { required: [], optional: ['time', 'weekdays', 'next'], fallsThrough: true },
  waitForEvent: { required: ['event', 'timeout', 'onEvent', 'onTimeout'], optional: ['where', 'sameEntryKey'], fallsThrough: false },
  branch: { required: ['cases', 'otherwise'], optional: [], fallsThrough: false },
  split: { required: ['variants'], optional: ['holdout'], fallsThrough: false },
  survey: { required: ['kind', 'template'], optional: ['reminder', 'window', 'next'], fallsThrough: true },
  end: { required: [], optional: [], fallsThrough: false },
};

/** Why `next` is refused on steps that choose their successor another way. */
const NEXT_NOT_USED: Partial<Record<StepType, string>> = {
  waitForEvent: 'a waitForEvent step continues at onEvent or onTimeout; "next" would never be used',
  branch: 'a branch continues at the next of the matching case or at otherwise; "next" would never be used',
  split: 'a split continues at the next of the chosen variant; "next" would never be used',
  end: 'an end step ends the sequence; "next" would never be used',
};

type Root = 'customer' | 'event' | 'survey';
interface Scope {
  roots: readonly Root[];
  /** Completes "... can only use ..." messages. */
  explain: string;
}
const SCOPES = {
  trigger: { roots: ['customer', 'event'], explain: 'a trigger filter sees the triggering event (event.*) and the customer (customer.*)' },
  exit: { roots: ['customer'], explain: 'an exit rule sees the customer (customer.*)' },
  waitForEvent: { roots: ['event'], explain: 'a waitForEvent filter sees only the awaited event (event.*)' },
  branch: { roots: ['customer', 'event', 'survey'], explain: 'a branch sees customer.*, event.* and survey.*' },
} satisfies Record<string, Scope>;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a wrong value for messages ("got a list", "got the text \"two\""). */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return String(v);
}

/** A value quoted for a message; a hostile 10,000-character id is shown by its start and length. */
function quote(v: string): string {
  return v.length > 80 ? `${JSON.stringify(v.slice(0, 60) + '...')} (${v.length} characters)` : JSON.stringify(v);
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A jump found while checking steps; resolved once every step id is known. */
interface Jump {
  path: Path;
  target: string;
  /** The step's own `next` (as opposed to onEvent, a case's next, ...): replaces the fall-through. */
  stepNext: boolean;
}

/** A condition field reference, for checks that need the step graph (survey.* after a survey). */
interface FieldRef {
  path: Path;
  root: Root;
  field: string;
}

class Checker {
  readonly findings: Finding[] = [];

  add(path: Path, message: string, anchor: Anchor = 'value'): void {
    this.findings.push({ path, anchor, message });
  }

  /** The value as a mapping, or a finding and undefined. */
  mapping(v: unknown, path: Path, expected: string): Obj | undefined {
    if (isObj(v)) return v;
    this.add(path, `must be ${expected}, got ${describeValue(v)}`);
    return undefined;
  }

  /** Unknown fields (with a hint) and missing required ones. `refused` explains fields that exist elsewhere. */
  fields(
    o: Obj, path: Path, required: readonly string[], optional: readonly string[],
    refused: Record<string, string> = {}, missing: Record<string, string> = {},
  ): void {
    const allowed = [...required, ...optional];
    for (const key of Object.keys(o)) {
      // `{ next: undefined }` in a definition built in code means "no next", as it does in JSON.
      if (allowed.includes(key) || o[key] === undefined) continue;
      // Own properties only: a field named "constructor" or "__proto__" must not find Object's.
      if (Object.hasOwn(refused, key)) this.add([...path, key], refused[key]!, 'key');
      else this.add([...path, key], `unknown field "${key}"${didYouMean(key, allowed)}; allowed here: ${allowed.join(', ')}`, 'key');
    }
    for (const key of required) {
      if (o[key] === undefined) this.add([...path, key], (Object.hasOwn(missing, key) ? missing[key] : undefined) ?? 'missing (required)');
    }
  }

  string(o: Obj, key: string, path: Path, pattern?: RegExp, rule?: string): string | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) {
      this.add([...path, key], `must be text${rule ? ` (${rule})` : ''}, got ${describeValue(v)}`);
      return undefined;
    }
    if (pattern && !pattern.test(v)) {
      this.add([...path, key], `${quote(v)} is not valid: ${rule}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(o: Obj, key: string, path: Path, values: readonly T[]): T | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    this.add([...path, key], `must be one of ${values.join(', ')}, got ${describeValue(v)}${hint}`);
    return undefined;
  }

  wholeNumber(o: Obj, key: string, path: Path, min: number, max: number): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!isWhole(v)) {
      this.add([...path, key], `must be a whole number from ${min} to ${max}, got ${describeValue(v)}`);
      return undefined;
    }
    if (v < min || v > max) {
      this.add([...path, key], `must be from ${min} to ${max}, got ${v}`);
      return undefined;
    }
    return v;
  }

  /** A list of unique texts matching `pattern`; returns the valid ones. */
  stringList(o: Obj, key: string, path: Path, pattern: RegExp, rule: string): string[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length === 0) {
      this.add([...path, key], `must be a non-empty list (${rule}), got ${describeValue(v)}`);
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item !== 'string' || !pattern.test(item)) {
        this.add([...path, key, i], `${typeof item === 'string' ? quote(item) : describeValue(item)} is not valid: ${rule}`);
      } else if (out.includes(item)) {
        this.add([...path, key, i], `${JSON.stringify(item)} is listed twice`);
      } else {
        out.push(item);
      }
    });
    return out;
  }

  /**
   * A duration mapping. Returns its length in days as an upper estimate (a business day counts
   * 7/5 of a day, weekends included), or undefined when invalid.
   */
  duration(v: unknown, path: Path, what: string, opts: { businessDays: boolean }): number | undefined {
    const o = this.mapping(v, path, `a duration such as { days: 2 }${opts.businessDays ? ' or { businessDays: 3 }' : ''}`);
    if (!o) return undefined;
    const units = opts.businessDays ? ['days', 'hours', 'minutes', 'businessDays'] : ['days', 'hours', 'minutes'];
    this.fields(o, path, [], units, {
      weeks: 'unknown field "weeks": write weeks as days (days: 14 for two weeks)',
      months: 'unknown field "months": months differ in length; write days (days: 30)',
      seconds: 'unknown field "seconds": the smallest unit is minutes',
      ...(opts.businessDays ? {} : { businessDays: `${what} cannot use businessDays (it is measured in calendar time); use days, hours or minutes` }),
    });
    let ok = true;
    let days = 0;
    const factor: Record<string, number> = { days: 1, hours: 1 / 24, minutes: 1 / 1440, businessDays: 7 / 5 };
    for (const unit of units) {
      const n = o[unit];
      if (n === undefined) continue;
      if (!isWhole(n)) {
        this.add([...path, unit], `must be a whole number, got ${describeValue(n)}`);
        ok = false;
      } else if (n < 0) {
        this.add([...path, unit], `must not be negative, got ${n}`);
        ok = false;
      } else {
        days += n * factor[unit]!;
      }
    }
    if (!ok) return undefined;
    if (!units.some((u) => o[u] !== undefined)) {
      if (Object.keys(o).every((k) => !units.includes(k) && !['weeks', 'months', 'seconds', 'businessDays'].includes(k))) {
        this.add(path, `${what} needs at least one of ${units.join(', ')}`);
      }
      return undefined;
    }
    if (days === 0) {
      this.add(path, `${what} has zero length; give a positive amount (or remove the step)`);
      return undefined;
    }
    if (days > MAX_WAIT_DAYS) {
      this.add(path, `${what} of about ${Math.round(days)} days is longer than the ${MAX_WAIT_DAYS}-day limit`);
      return undefined;
    }
    return days;
  }

  condition(v: unknown, path: Path, scope: Scope, refs: FieldRef[], depth = 0): void {
    const o = this.mapping(v, path, 'a condition: { field, op, value } or { all: [...] }, { any: [...] }, { not: ... }');
    if (!o) return;
    if (depth > MAX_CONDITION_DEPTH) {
      this.add(path, `conditions are nested more than ${MAX_CONDITION_DEPTH} levels deep; simplify`);
      return;
    }
    const combinators = ['all', 'any', 'not'].filter((k) => k in o);
    if (combinators.length > 1 || (combinators.length === 1 && ('field' in o || 'op' in o))) {
      this.add(path, `a condition is either { field, op, value } or one of all / any / not, not several (found ${Object.keys(o).join(', ')})`);
      return;
    }
    const kind = combinators[0];
    if (kind === 'all' || kind === 'any') {
      this.fields(o, path, [kind], []);
      const list = o[kind];
      if (!Array.isArray(list) || list.length === 0) {
        this.add([...path, kind], `must be a non-empty list of conditions, got ${describeValue(list)}`);
        return;
      }
      list.forEach((c, i) => this.condition(c, [...path, kind, i], scope, refs, depth + 1));
      return;
    }
    if (kind === 'not') {
      this.fields(o, path, ['not'], []);
      this.condition(o.not, [...path, 'not'], scope, refs, depth + 1);
      return;
    }
    this.fields(o, path, ['field', 'op'], ['value']);
    const field = o.field;
    if (field !== undefined) {
      if (typeof field !== 'string' || !FIELD_PATH.test(field)) {
        this.add([...path, 'field'], `must be a dotted name such as customer.plan or event.amount, got ${describeValue(field)}`);
      } else {
        this.fieldRef(field, [...path, 'field'], scope, refs);
      }
    }
    const opValue = o.op;
    let op: ComparisonOp | undefined;
    if (opValue !== undefined) {
      if (typeof opValue === 'string' && (OPS as readonly string[]).includes(opValue)) {
        op = opValue as ComparisonOp;
      } else if (typeof opValue === 'string' && Object.hasOwn(OP_ALIASES, opValue)) {
        this.add([...path, 'op'], `unknown op "${opValue}": write ${OP_ALIASES[opValue]}`);
      } else if (typeof opValue === 'string') {
        this.add([...path, 'op'], `unknown op "${opValue}"${didYouMean(opValue, OPS)}; ops: ${OPS.join(', ')}`);
      } else {
        this.add([...path, 'op'], `must be one of ${OPS.join(', ')}, got ${describeValue(opValue)}`);
      }
    }
    if (op) this.conditionValue(o, op, path);
  }

  private fieldRef(field: string, path: Path, scope: Scope, refs: FieldRef[]): void {
    const [root, ...rest] = field.split('.');
    if (root !== 'customer' && root !== 'event' && root !== 'survey') {
      this.add(path, `"${field}" must start with ${scope.roots.map((r) => `${r}.`).join(', ')} (${scope.explain})`);
      return;
    }
    if (!scope.roots.includes(root)) {
      this.add(path, `"${field}" is not available here: ${scope.explain}`);
      return;
    }
    if (rest.length === 0) {
      this.add(path, `"${field}" names no field; write ${root}.<name>`);
      return;
    }
    const internal = rest.find((s) => INTERNAL_SEGMENTS.has(s));
    if (internal !== undefined) {
      this.add(path, `"${field}" reads "${internal}", an object internal, not a field; name a real field such as ${root === 'customer' ? 'customer.plan' : root === 'event' ? 'event.amount' : 'survey.score'}`);
      return;
    }
    if (root === 'survey' && (rest.length > 1 || !SURVEY_FIELDS.includes(rest[0]!))) {
      this.add(path, `unknown survey field "${field}"${didYouMean(rest.join('.'), SURVEY_FIELDS)}; survey fields: ${SURVEY_FIELDS.map((f) => `survey.${f}`).join(', ')}`);
      return;
    }
    if (root === 'customer' && rest[0] === 'attributes' && rest.length > 1) {
      // The engine flattens custom attributes into customer.* (activities/sequence.ts loadCustomerContext).
      this.add(path, `custom attributes are read as customer.${rest.slice(1).join('.')}, not "${field}"`);
      return;
    }
    if (root === 'customer' && PERSONAL_FIELDS.includes(rest[0]!)) {
      this.add(path, `"${field}" is personal data and is not available to conditions; use an attribute or locale, country, region, timeZone, formality`);
      return;
    }
    refs.push({ path, root, field });
  }

  private conditionValue(o: Obj, op: ComparisonOp, path: Path): void {
    const v = o.value;
    const vp = [...path, 'value'];
    const scalar = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
    switch (op) {
      case 'exists':
        if (v !== undefined && typeof v !== 'boolean') this.add(vp, `with op exists, value is optional and true or false, got ${describeValue(v)}`);
        return;
      case 'in':
      case 'notIn':
        if (v === undefined) this.add(vp, `missing (required): op ${op} needs a list of values`);
        else if (!Array.isArray(v) || v.length === 0) this.add(vp, `with op ${op}, value must be a non-empty list, got ${describeValue(v)}`);
        else v.forEach((x, i) => { if (!scalar(x)) this.add([...vp, i], `must be text, a number or true/false, got ${describeValue(x)}`); });
        return;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (v === undefined) this.add(vp, `missing (required): op ${op} compares with a value`);
        else if (typeof v !== 'number' && typeof v !== 'string') this.add(vp, `with op ${op}, value must be a number (or text such as a date), got ${describeValue(v)}`);
        return;
      case 'eq':
      case 'ne':
      case 'contains':
        if (v === undefined) this.add(vp, `missing (required): op ${op} compares with a value`);
        else if (!scalar(v)) this.add(vp, `with op ${op}, value must be text, a number or true/false, got ${describeValue(v)}${Array.isArray(v) && op !== 'contains' ? `; to match any of several values use op ${op === 'eq' ? 'in' : 'notIn'}` : ''}`);
        return;
    }
  }
}

/** Checks a sequence given as plain data (parsed YAML or a definition built in code). */
export function checkSequence(data: unknown, opts: ValidateOptions = {}): Finding[] {
  const c = new Checker();
  const root = c.mapping(data, [], 'a mapping with id, version, trigger and steps');
  if (!root) return c.findings;
  c.fields(root, [], ['id', 'version', 'trigger', 'steps'], ['description', 'locales', 'entry', 'exit', 'goal']);
  c.string(root, 'id', [], SEQUENCE_ID, 'lowercase letters, digits and dashes, at most 64 characters');
  c.wholeNumber(root, 'version', [], 1, 1_000_000);
  if (root.description !== undefined && typeof root.description !== 'string') c.add(['description'], `must be text, got ${describeValue(root.description)}`);
  const locales = c.stringList(root, 'locales', [], LOCALE, 'locales such as en, de or pt-BR');

  const conditionRefs: FieldRef[] = [];
  checkTrigger(c, root.trigger, conditionRefs);
  checkEntry(c, root.entry);
  const exitEvents = checkExit(c, root.exit, conditionRefs);
  checkGoal(c, root.goal);

  const templates: Array<{ path: Path; name: string }> = [];
  if (root.steps !== undefined) {
    if (!Array.isArray(root.steps) || root.steps.length === 0) {
      c.add(['steps'], `must be a non-empty list of steps, got ${describeValue(root.steps)}`);
    } else if (root.steps.length > MAX_STEPS) {
      c.add(['steps'], `has ${root.steps.length} steps; at most ${MAX_STEPS} are allowed`, 'key');
    } else {
      const entry = root.entry as { mode?: unknown } | undefined;
      checkSteps(c, root.steps, exitEvents, templates, !!entry && typeof entry === 'object' && entry.mode === 'oncePerKey');
    }
  }
  checkTemplates(c, templates, [...new Set([...locales, ...(opts.requiredLocales ?? [])])], opts.templates);
  return c.findings;
}

function checkTrigger(c: Checker, v: unknown, refs: FieldRef[]): void {
  if (v === undefined) return;
  const path = ['trigger'];
  const o = c.mapping(v, path, 'a mapping with event (and optionally where, milestone)');
  if (!o) return;
  c.fields(o, path, ['event'], ['where', 'milestone']);
  c.string(o, 'event', path, EVENT_NAME, 'an event name: lowercase letters, digits, _ . -, starting with a letter');
  if (o.where !== undefined) c.condition(o.where, [...path, 'where'], SCOPES.trigger, refs);
  if (o.milestone !== undefined) {
    const mp = [...path, 'milestone'];
    const m = c.mapping(o.milestone, mp, 'a mapping with count and/or totalAtLeast');
    if (!m) return;
    c.fields(m, mp, [], ['count', 'totalAtLeast']);
    if (m.count === undefined && m.totalAtLeast === undefined) c.add(mp, 'a milestone needs count, totalAtLeast or both');
    if (m.count !== undefined) ascendingNumbers(c, m.count, [...mp, 'count'], true);
    if (m.totalAtLeast !== undefined) {
      const tp = [...mp, 'totalAtLeast'];
      const t = c.mapping(m.totalAtLeast, tp, 'a mapping with property and amounts');
      if (t) {
        c.fields(t, tp, ['property', 'amounts'], []);
        c.string(t, 'property', tp, PROPERTY_NAME, 'an event property name such as amount');
        if (t.amounts !== undefined) ascendingNumbers(c, t.amounts, [...tp, 'amounts'], false);
      }
    }
  }
}

function ascendingNumbers(c: Checker, v: unknown, path: Path, whole: boolean): void {
  if (!Array.isArray(v) || v.length === 0) {
    c.add(path, `must be a non-empty list of ${whole ? 'whole numbers' : 'numbers'}, got ${describeValue(v)}`);
    return;
  }
  let prev = 0;
  v.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isFinite(n) || (whole && !Number.isInteger(n)) || n <= 0) {
      c.add([...path, i], `must be a positive ${whole ? 'whole number' : 'number'}, got ${describeValue(n)}`);
    } else if (n <= prev) {
      c.add([...path, i], `must be larger than the one before (${prev}): list milestones in increasing order`);
    } else {
      prev = n;
    }
  });
}

function checkEntry(c: Checker, v: unknown): void {
  if (v === undefined) return;
  const path = ['entry'];
  const o = c.mapping(v, path, 'a mapping with mode (oncePerCustomer, oncePerKey or reenterAfter)');
  if (!o) return;
  const mode = o.mode === undefined ? undefined : c.oneOf(o, 'mode', path, ['oncePerCustomer', 'oncePerKey', 'reenterAfter'] as const);
  if (o.mode === undefined) c.add([...path, 'mode'], 'missing (required): oncePerCustomer, oncePerKey or reenterAfter');
  if (mode === 'oncePerCustomer') c.fields(o, path, ['mode'], []);
  if (mode === 'oncePerKey') {
    c.fields(o, path, ['mode', 'key'], []);
    c.string(o, 'key', path, PROPERTY_NAME, 'the name of an event property, such as orderId');
  }
  if (mode === 'reenterAfter') {
    c.fields(o, path, ['mode', 'period'], []);
    // The API compares the period with calendarMillis, which has no notion of business days.
    if (o.period !== undefined) c.duration(o.period, [...path, 'period'], 'the re-entry period', { businessDays: false });
  }
}

function checkExit(c: Checker, v: unknown, refs: FieldRef[]): string[] {
  if (v === undefined) return [];
  const path = ['exit'];
  const o = c.mapping(v, path, 'a mapping with events and/or when');
  if (!o) return [];
  c.fields(o, path, [], ['events', 'when']);
  if (o.events === undefined && o.when === undefined) c.add(path, 'exit needs events, when or both');
  const events = c.stringList(o, 'events', path, EVENT_NAME, 'event names such as unsubscribed');
  if (o.when !== undefined) c.condition(o.when, [...path, 'when'], SCOPES.exit, refs);
  return events;
}

function checkGoal(c: Checker, v: unknown): void {
  if (v === undefined) return;
  const path = ['goal'];
  const o = c.mapping(v, path, 'a mapping with event (and optionally within)');
  if (!o) return;
  c.fields(o, path, ['event'], ['within']);
  c.string(o, 'event', path, EVENT_NAME, 'an event name such as first_value');
  if (o.within !== undefined) c.duration(o.within, [...path, 'within'], 'the goal window', { businessDays: false });
}

interface StepInfo {
  index: number;
  id?: string;
  type?: StepType;
  /** Estimated longest time spent in the step, in days (for the total-length limit). */
  days: number;
  jumps: Jump[];
}

function checkSteps(c: Checker, steps: unknown[], exitEvents: string[], templates: Array<{ path: Path; name: string }>, hasEntryKey: boolean): void {
  const infos: StepInfo[] = [];
  const firstIndex = new Map<string, number>();
  const branchRefs: Array<{ index: number; refs: FieldRef[] }> = [];

  steps.forEach((raw, index) => {
    const path: Path = ['steps', index];
    const info: StepInfo = { index, days: 0, jumps: [] };
    infos.push(info);
    const o = c.mapping(raw, path, 'a step: a mapping with id and type');
    if (!o) return;
    const id = c.string(o, 'id', path, STEP_ID, 'lowercase letters, digits, - and _, at most 64 characters');
    if (id !== undefined) {
      const first = firstIndex.get(id);
      if (first !== undefined) c.add([...path, 'id'], `duplicate step id "${id}" (already used by step ${first + 1})`);
      else firstIndex.set(id, index);
      info.id = id;
    }
    const missingId = 'missing (required): every step needs an id';
    if (o.type === undefined) {
      if (o.id === undefined) c.add([...path, 'id'], missingId);
      c.add([...path, 'type'], `missing (required): one of ${STEP_TYPES.join(', ')}`);
      return;
    }
    if (typeof o.type !== 'string' || !(STEP_TYPES as readonly string[]).includes(o.type)) {
      const hint = typeof o.type === 'string' ? didYouMean(o.type, STEP_TYPES) : '';
      c.add([...path, 'type'], `unknown step type ${typeof o.type === 'string' ? `"${o.type}"` : describeValue(o.type)}${hint}; step types: ${STEP_TYPES.join(', ')}`);
      // Without a type the fields cannot be checked; a `next` still counts as a jump so other
      // problems are not reported twice (e.g. its target as unreachable).
      if (o.id === undefined) c.add([...path, 'id'], missingId);
      if (typeof o.next === 'string') info.jumps.push({ path: [...path, 'next'], target: o.next, stepNext: true });
      return;
    }
    const type = o.type as StepType;
    info.type = type;
    const rule = STEP_RULES[type];
    const refused: Record<string, string> = {};
    const nextReason = NEXT_NOT_USED[type];
    if (nextReason) refused.next = nextReason;
    c.fields(o, path, ['id', 'type', ...rule.required], rule.optional, refused, {
      id: missingId,
      otherwise: 'missing (required): a branch needs otherwise, the step for customers no case matches',
    });
    const jump = (key: string, at: Path = [...path, key], holder: Obj = o) => {
      const t = holder[key];
      if (t === undefined) return;
      if (typeof t !== 'string' || t.length === 0) c.add(at, `must be the id of a later step, got ${describeValue(t)}`);
      else info.jumps.push({ path: at, target: t, stepNext: holder === o && key === 'next' });
    };
    if (rule.optional.includes('next')) jump('next');

    switch (type) {
      case 'send': {
        const t = c.string(o, 'template', path, TEMPLATE_NAME, TEMPLATE_RULE);
        if (t) templates.push({ path: [...path, 'template'], name: t });
        c.oneOf(o, 'category', path, ['marketing', 'transactional', 'survey'] as const);
        c.oneOf(o, 'at', path, ['businessHours', 'now'] as const);
        break;
      }
      case 'wait':
        if (o.duration !== undefined) info.days = c.duration(o.duration, [...path, 'duration'], 'a wait', { businessDays: true }) ?? 0;
        break;
      case 'waitUntil': {
        if (o.time === undefined && o.weekdays === undefined) c.add(path, 'a waitUntil step needs time (HH:mm), weekdays or both');
        if (o.time !== undefined && (typeof o.time !== 'string' || !HH_MM.test(o.time))) {
          c.add([...path, 'time'], `must be a local time of day as HH:mm (24-hour, e.g. "09:30"), got ${describeValue(o.time)}`);
        }
        if (o.weekdays !== undefined) checkWeekdays(c, o.weekdays, [...path, 'weekdays']);
        // The longest it can take: a week (the next matching weekday at that time).
        info.days = 7;
        break;
      }
      case 'waitForEvent': {
        const event = c.string(o, 'event', path, EVENT_NAME, 'an event name: lowercase letters, digits, _ . -, starting with a letter');
        if (event && exitEvents.includes(event)) {
          c.add([...path, 'event'], `"${event}" is an exit event: the sequence exits when it arrives, so this step could never see it`);
        }
        if (o.where !== undefined) c.condition(o.where, [...path, 'where'], SCOPES.waitForEvent, []);
        if (o.sameEntryKey !== undefined && typeof o.sameEntryKey !== 'boolean') {
          c.add([...path, 'sameEntryKey'], `must be true or false, got ${describeValue(o.sameEntryKey)}`);
        } else if (o.sameEntryKey === true && !hasEntryKey) {
          c.add([...path, 'sameEntryKey'], 'needs entry mode oncePerKey: only then does an enrollment have a key to match');
        }
        if (o.timeout !== undefined) info.days = c.duration(o.timeout, [...path, 'timeout'], 'the timeout', { businessDays: true }) ?? 0;
        jump('onEvent');
        jump('onTimeout');
        break;
      }
      case 'branch': {
        const refs: FieldRef[] = [];
        if (o.cases !== undefined) {
          if (!Array.isArray(o.cases) || o.cases.length === 0) {
            c.add([...path, 'cases'], `must be a non-empty list of { when, next }, got ${describeValue(o.cases)}`);
          } else {
            o.cases.forEach((raw, i) => {
              const cp = [...path, 'cases', i];
              const k = c.mapping(raw, cp, 'a case: { when: <condition>, next: <step id> }');
              if (!k) return;
              c.fields(k, cp, ['when', 'next'], []);
              if (k.when !== undefined) c.condition(k.when, [...cp, 'when'], SCOPES.branch, refs);
              jump('next', [...cp, 'next'], k);
            });
          }
        }
        jump('otherwise');
        branchRefs.push({ index, refs });
        break;
      }
      case 'split':
        checkSplit(c, o, path, jump);
        break;
      case 'survey': {
        c.oneOf(o, 'kind', path, ['csat', 'nps', 'ces'] as const);
        const t = c.string(o, 'template', path, TEMPLATE_NAME, TEMPLATE_RULE);
        if (t) templates.push({ path: [...path, 'template'], name: t });
        const window = o.window === undefined ? DEFAULT_SURVEY_WINDOW_DAYS : c.duration(o.window, [...path, 'window'], 'the answer window', { businessDays: false });
        let reminderDays = 0;
        if (o.reminder !== undefined) {
          const rp = [...path, 'reminder'];
          const r = c.mapping(o.reminder, rp, 'a mapping with afterBusinessDays and template');
          if (r) {
            c.fields(r, rp, ['afterBusinessDays', 'template'], []);
            const after = c.wholeNumber(r, 'afterBusinessDays', rp, 1, 60);
            const rt = c.string(r, 'template', rp, TEMPLATE_NAME, TEMPLATE_RULE);
            if (rt) templates.push({ path: [...rp, 'template'], name: rt });
            if (after !== undefined) {
              reminderDays = (after * 7) / 5;
              // N business days are at least N calendar days; a reminder at or after the window's
              // end asks for an answer that is no longer accepted.
              if (window !== undefined && after >= window) {
                const closes = o.window === undefined ? `${DEFAULT_SURVEY_WINDOW_DAYS} days, the default` : describeDuration(o.window as WaitDuration);
                c.add([...rp, 'afterBusinessDays'], `the reminder (after ${after} business days) would come after the answer window closes (${closes}); shorten it or lengthen window`);
              }
            }
          }
        }
        info.days = Math.max(window ?? 0, reminderDays);
        break;
      }
      case 'end':
        break;
    }
  });

  checkGraph(c, infos, firstIndex, branchRefs);
}

function checkWeekdays(c: Checker, v: unknown, path: Path): void {
  if (!Array.isArray(v) || v.length === 0) {
    c.add(path, `must be a non-empty list of ISO weekdays (1 = Monday ... 7 = Sunday), got ${describeValue(v)}`);
    return;
  }
  const seen = new Set<number>();
  v.forEach((d, i) => {
    if (!isWhole(d) || d < 1 || d > 7) {
      const hint = typeof d === 'string' ? ' (weekdays are numbers: 1 = Monday ... 7 = Sunday)' : '';
      c.add([...path, i], `weekday must be from 1 (Monday) to 7 (Sunday), got ${describeValue(d)}${hint}`);
    } else if (seen.has(d)) {
      c.add([...path, i], `weekday ${d} is listed twice`);
    } else {
      seen.add(d);
    }
  });
}

function checkSplit(c: Checker, o: Obj, path: Path, jump: (key: string, at: Path, holder: Obj) => void): void {
  let total = 0;
  let complete = true;
  const parts: number[] = [];
  const names = new Set<string>();
  if (o.variants !== undefined) {
    if (!Array.isArray(o.variants) || o.variants.length === 0) {
      c.add([...path, 'variants'], `must be a non-empty list of { name, percent, next }, got ${describeValue(o.variants)}`);
      complete = false;
    } else {
      o.variants.forEach((raw, i) => {
        const vp = [...path, 'variants', i];
        const v = c.mapping(raw, vp, 'a variant: { name, percent, next }');
        if (!v) {
          complete = false;
          return;
        }
        c.fields(v, vp, ['name', 'percent', 'next'], []);
        const name = c.string(v, 'name', vp, STEP_ID, 'lowercase letters, digits, - and _');
        if (name === 'holdout') c.add([...vp, 'name'], '"holdout" is reserved for the holdout group; use the holdout field');
        else if (name && names.has(name)) c.add([...vp, 'name'], `duplicate variant name "${name}"`);
        if (name) names.add(name);
        // Customers are bucketed into whole percents (0-99), so fractions cannot be honoured.
        const p = c.wholeNumber(v, 'percent', vp, 1, 100);
        if (p === undefined) complete = false;
        else {
          total += p;
          parts.push(p);
        }
        jump('next', [...vp, 'next'], v);
      });
    }
  }
  let holdout: number | undefined;
  if (o.holdout !== undefined) {
    const hp = [...path, 'holdout'];
    const h = c.mapping(o.holdout, hp, 'a mapping with percent, e.g. { percent: 10 }');
    if (h) {
      c.fields(h, hp, ['percent'], []);
      holdout = c.wholeNumber(h, 'percent', hp, 1, 99);
      if (holdout === undefined) complete = false;
      else total += holdout;
    } else {
      complete = false;
    }
  }
  if (complete && o.variants !== undefined && total !== 100) {
    const sum = parts.join(' + ') + (holdout !== undefined ? ` plus holdout ${holdout}` : '');
    c.add([...path, 'variants'], `percentages must add up to 100 (variants plus holdout), but ${sum} = ${total}`, 'key');
  }
}

function checkGraph(c: Checker, infos: StepInfo[], firstIndex: Map<string, number>, branchRefs: Array<{ index: number; refs: FieldRef[] }>): void {
  const allIds = [...firstIndex.keys()];
  const edges: number[][] = infos.map(() => []);
  /** Steps an unknown target probably meant: not also reported as unreachable. */
  const probablyMeant = new Set<number>();

  for (const info of infos) {
    // A step whose jump is wrong is treated as also continuing to the following step, so one
    // mistake is reported once rather than again as every later step being unreachable.
    let broken = false;
    for (const j of info.jumps) {
      const to = firstIndex.get(j.target);
      if (to === undefined) {
        broken = true;
        const guess = closest(j.target, allIds);
        if (guess !== undefined) probablyMeant.add(firstIndex.get(guess)!);
        c.add(j.path, `unknown step "${j.target}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
        continue;
      }
      if (to <= info.index) {
        broken = true;
        c.add(j.path, to === info.index
          ? `jumps to itself; jumps must go forward to a later step so that every sequence ends`
          : `jumps back to "${j.target}" (step ${to + 1}); jumps must go forward to a later step so that every sequence ends`);
        continue;
      }
      edges[info.index]!.push(to);
    }
    const hasNext = info.jumps.some((j) => j.stepNext);
    const fallsThrough = info.type === undefined ? true : STEP_RULES[info.type].fallsThrough;
    if (((fallsThrough && !hasNext) || broken) && info.index + 1 < infos.length) edges[info.index]!.push(info.index + 1);
  }

  // Reachability from the first step. Edges only go forward, so one pass in list order suffices.
  const reached = infos.map((_, i) => i === 0);
  for (let i = 0; i < infos.length; i++) {
    if (reached[i]) for (const to of edges[i]!) reached[to] = true;
  }
  for (const info of infos) {
    if (reached[info.index] || probablyMeant.has(info.index) || info.type === undefined) continue;
    const prev = infos[info.index - 1];
    const why = prev?.type && !STEP_RULES[prev.type].fallsThrough
      ? `the step before it (${prev.type}) never continues to the following step`
      : 'the step before it jumps elsewhere with next';
    c.add(['steps', info.index], `step is never reached: no step jumps to it and ${why}`);
  }

  // survey.* in a branch is only set once a survey step has run on the way there.
  const surveyOnAllPaths = infos.map(() => true);
  surveyOnAllPaths[0] = false;
  const preds: number[][] = infos.map(() => []);
  edges.forEach((tos, from) => { if (reached[from]) for (const to of tos) preds[to]!.push(from); });
  for (let i = 1; i < infos.length; i++) {
    surveyOnAllPaths[i] = preds[i]!.length > 0 && preds[i]!.every((p) => infos[p]!.type === 'survey' || surveyOnAllPaths[p]!);
  }
  for (const { index, refs } of branchRefs) {
    if (!reached[index] || surveyOnAllPaths[index]) continue;
    for (const r of refs.filter((x) => x.root === 'survey')) {
      c.add(r.path, `"${r.field}" is empty here: not every path to this branch passes a survey step`);
    }
  }

  // The slowest path must stay within MAX_TOTAL_DAYS. Longest path in a DAG, in list order.
  const longest = infos.map(() => 0);
  const via = infos.map((): number | undefined => undefined);
  let worst = 0;
  let worstEnd = 0;
  for (let i = 0; i < infos.length; i++) {
    if (!reached[i]) continue;
    const done = longest[i]! + infos[i]!.days;
    if (done > worst) {
      worst = done;
      worstEnd = i;
    }
    for (const to of edges[i]!) {
      if (via[to] === undefined || done > longest[to]!) {
        longest[to] = done;
        via[to] = i;
      }
    }
  }
  if (worst > MAX_TOTAL_DAYS) {
    const route: string[] = [];
    for (let i: number | undefined = worstEnd; i !== undefined; i = via[i]) route.unshift(infos[i]!.id ?? `#${i + 1}`);
    c.add(['steps'], `the slowest path (${route.join(' → ')}) can take about ${Math.round(worst)} days; a sequence must finish within ${MAX_TOTAL_DAYS} days (3 years)`, 'key');
  }
}

function checkTemplates(c: Checker, used: Array<{ path: Path; name: string }>, locales: string[], catalog: TemplateCatalog | undefined): void {
  if (!catalog) return;
  const names = catalog.names?.() ?? [];
  for (const { path, name } of used) {
    if (!catalog.has(name)) {
      c.add(path, `unknown template "${name}"${didYouMean(name, names)}`);
      continue;
    }
    const has = catalog.locales(name);
    const missing = locales.filter((l) => !hasLocale(has, l));
    if (missing.length) {
      c.add(path, `template "${name}" has no ${missing.map((l) => `"${l}"`).join(', ')} version (it has: ${has.join(', ') || 'none'}); the sequence targets ${locales.join(', ')}`);
    }
  }
}

/**
 * Whether a template serves customers of `locale` in their language, as the renderer picks catalogs
 * (activities/render/locale.ts localeChain): the exact locale, a shorter form of it (`de` for
 * `de-AT`) or a sibling of the same language (`pt-PT` for `pt-BR`). Anything else would fall back to
 * the default language, which is what "a template lacks the locale" means.
 */
export function hasLocale(available: readonly string[], locale: string): boolean {
  const language = (tag: string) => tag.toLowerCase().split('-')[0];
  return available.some((a) => language(a) === language(locale));
}

/**
 * A TemplateCatalog over anything that lists templates and their locales, such as the renderer
 * (activities/render TemplateRenderer). The name list is read once.
 */
export function templateCatalog(source: { templates(): string[]; locales(template: string): string[] }): TemplateCatalog {
  let names: Set<string> | undefined;
  const all = () => (names ??= new Set(source.templates()));
  return {
    has: (name) => all().has(name),
    locales: (name) => source.locales(name),
    names: () => [...all()],
  };
}
