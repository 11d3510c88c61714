// Who enters a sequence, decided the same way by the event dispatcher (client/api/dispatch.ts) and
// by `outreach sequence simulate`: the trigger's filter, loyalty milestones and the entry rule.
// Pure: the caller supplies the facts it counted (in dispatch order per customer).
import { evaluate, type ConditionContext } from './conditions';
import { calendarMillis } from './durations';
import type { SequenceDefinition, SequenceEvent } from './types';

/** Facts about the customer's earlier events of the trigger's name, counted in dispatch order. */
export interface MilestoneFacts {
  /** This event's position among them (1 = the first such event). */
  ordinal: number;
  /** The sum of `totalAtLeast.property` over the earlier ones (this event excluded). */
  totalBefore: number;
}

/** A numeric event property, or 0 when it is absent or not a finite number. */
export function amountOf(properties: Record<string, unknown>, property: string): number {
  const n = Number(properties[property]);
  return Number.isFinite(n) ? n : 0;
}

/**
 * The milestone this event reaches: `count:N` (the Nth event), `total:A` (the highest spend tier the
 * event crosses), `none` when the trigger has no milestone, undefined when it reaches none.
 */
export function milestoneOf(def: SequenceDefinition, event: SequenceEvent, facts: MilestoneFacts): string | undefined {
  const m = def.trigger.milestone;
  if (!m) return 'none';
  if (m.count?.includes(facts.ordinal)) return `count:${facts.ordinal}`;
  if (m.totalAtLeast) {
    const after = facts.totalBefore + amountOf(event.properties, m.totalAtLeast.property);
    const crossed = m.totalAtLeast.amounts.filter((a) => facts.totalBefore < a && a <= after);
    if (crossed.length) return `total:${Math.max(...crossed)}`;
  }
  return undefined;
}

export type EntryDecision =
  | { enter: true; entryKey: string }
  | { enter: false; reason: 'filter' | 'milestone' | 'no-key' | 'period' };

/**
 * Whether `event` enrolls the customer in `def`, and under which entry key. `lastStartedAt` (epoch
 * ms) is when the customer's latest enrollment in this sequence started (entry mode reenterAfter).
 */
export function decideEntry(
  def: SequenceDefinition,
  event: SequenceEvent,
  ctx: { customer: Record<string, unknown>; facts: MilestoneFacts; lastStartedAt?: number },
): EntryDecision {
  const filterCtx: ConditionContext = { event: { name: event.name, ...event.properties }, customer: ctx.customer };
  if (!evaluate(def.trigger.where, filterCtx)) return { enter: false, reason: 'filter' };
  const milestone = milestoneOf(def, event, ctx.facts);
  if (!milestone) return { enter: false, reason: 'milestone' };
  let base: string;
  const rule = def.entry;
  if (rule.mode === 'oncePerCustomer') {
    base = 'once';
  } else if (rule.mode === 'oncePerKey') {
    const v = event.properties[rule.key];
    if (v === undefined || v === null || v === '') return { enter: false, reason: 'no-key' };
    base = `key:${String(v)}`;
  } else {
    if (ctx.lastStartedAt !== undefined && Date.parse(event.occurredAt) - ctx.lastStartedAt < calendarMillis(rule.period)) return { enter: false, reason: 'period' };
    base = `at:${event.occurredAt}`;
  }
  return { enter: true, entryKey: milestone === 'none' ? base : `${base}:milestone:${milestone}` };
}

/** Entry-key properties must be scalars: an object would name every entry "[object Object]". */
export function entryKeyProblem(def: SequenceDefinition, properties: Record<string, unknown>): string | undefined {
  if (def.entry.mode !== 'oncePerKey') return undefined;
  const v = properties[def.entry.key];
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return undefined;
  return `must be a string or a number: it names the entry of sequence "${def.id}" (entry key "${def.entry.key}"), got ${Array.isArray(v) ? 'a list' : 'an object'}`;
}
