// The sequence language as the engine runs it, after YAML parsing and validation
// (see domain/sequence/parse.ts). Plain JSON data: a definition is snapshotted into each workflow's
// input when the enrollment starts, so it must survive serialization unchanged.

export type Category = 'marketing' | 'transactional' | 'survey';
export type SurveyKind = 'csat' | 'nps' | 'ces';

/** A duration in calendar units; `businessDays` counts the customer's working, non-holiday days. */
export interface WaitDuration {
  days?: number;
  hours?: number;
  minutes?: number;
  /** Only for sequences defined in code (tests, benchmarks); sequence files use minutes and up. */
  seconds?: number;
  businessDays?: number;
}

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'notIn' | 'exists' | 'contains';

/**
 * A condition over a context of `customer.*` (profile and custom attributes), `event.*` (the
 * triggering or awaited event's properties, plus `event.name`) and `survey.*` (the last answer).
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: ComparisonOp; value?: unknown };

interface StepBase {
  id: string;
  /** The step to run after this one; defaults to the next step in the list. Always forward. */
  next?: string;
}

export interface SendStep extends StepBase {
  type: 'send';
  template: string;
  category: Category;
  /** `businessHours` (default): the customer's next allowed instant; `now`: right away. */
  at?: 'businessHours' | 'now';
}

export interface WaitStep extends StepBase {
  type: 'wait';
  duration: WaitDuration;
}

export interface WaitUntilStep extends StepBase {
  type: 'waitUntil';
  /** Local time of day, "HH:mm", in the customer's zone. */
  time?: string;
  /** ISO weekdays (1 = Monday ... 7 = Sunday) in the customer's zone; any of them. */
  weekdays?: number[];
}

export interface WaitForEventStep extends StepBase {
  type: 'waitForEvent';
  event: string;
  where?: Condition;
  /**
   * Only events carrying the enrollment's own entry key (entry mode oncePerKey: the same value of
   * that property), e.g. the `order_delivered` of this order, not of another open order.
   */
  sameEntryKey?: boolean;
  timeout: WaitDuration;
  onEvent: string;
  onTimeout: string;
}

export interface BranchStep extends StepBase {
  type: 'branch';
  cases: Array<{ when: Condition; next: string }>;
  otherwise: string;
}

export interface SplitStep extends StepBase {
  type: 'split';
  /** Percentages of variants plus holdout add up to 100. */
  variants: Array<{ name: string; percent: number; next: string }>;
  /** A holdout group receives nothing from here on and is still measured (enrollment status `holdout`). */
  holdout?: { percent: number };
}

export interface SurveyStep extends StepBase {
  type: 'survey';
  kind: SurveyKind;
  template: string;
  reminder?: { afterBusinessDays: number; template: string };
  /** How long answers are accepted, from the send; default 14 days. */
  window?: WaitDuration;
}

export interface EndStep {
  id: string;
  type: 'end';
}

export type Step = SendStep | WaitStep | WaitUntilStep | WaitForEventStep | BranchStep | SplitStep | SurveyStep | EndStep;
export type StepType = Step['type'];

export type EntryRule =
  | { mode: 'oncePerCustomer' }
  /** One enrollment per distinct value of an event property, e.g. `orderId`. */
  | { mode: 'oncePerKey'; key: string }
  /** A new enrollment is allowed once `period` has passed since the last one started. */
  | { mode: 'reenterAfter'; period: WaitDuration };

export interface Trigger {
  event: string;
  /** Filter on the event's properties and the customer's attributes. */
  where?: Condition;
  /** Loyalty milestones counted from stored events: the nth such event, or total spend tiers. */
  milestone?: { count?: number[]; totalAtLeast?: { property: string; amounts: number[] } };
}

export interface SequenceDefinition {
  id: string;
  version: number;
  description?: string;
  /**
   * The locales of the customers this sequence targets, e.g. ["en", "de"]. Checked at load/lint
   * time only: every template the sequence uses must have each of them (a `de` template covers `de-AT`).
   */
  locales?: string[];
  trigger: Trigger;
  entry: EntryRule;
  exit?: { events?: string[]; when?: Condition };
  goal?: { event: string; within?: WaitDuration };
  steps: Step[];
}

/** An event as the engine passes it to workflows (no personal data beyond what senders put in properties). */
export interface SequenceEvent {
  id: string;
  name: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}
