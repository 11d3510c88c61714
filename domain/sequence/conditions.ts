// Evaluates sequence conditions. Pure and dependency-free: runs inside the workflow sandbox (branch
// steps, exit rules) and in the API (trigger filters).
import type { Condition } from './types';

export type ConditionContext = Record<string, unknown>;

/** Reads a dotted path such as `customer.plan` or `event.amount` from the context. */
export function readPath(ctx: ConditionContext, path: string): unknown {
  let cur: unknown = ctx;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  // Numbers sent as strings ("49.90") still compare numerically against numeric thresholds.
  if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')) {
    const x = Number(a), y = Number(b);
    if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  }
  return undefined;
}

export function evaluate(cond: Condition | undefined, ctx: ConditionContext): boolean {
  if (!cond) return true;
  if ('all' in cond) return cond.all.every((c) => evaluate(c, ctx));
  if ('any' in cond) return cond.any.some((c) => evaluate(c, ctx));
  if ('not' in cond) return !evaluate(cond.not, ctx);
  const actual = readPath(ctx, cond.field);
  const expected = cond.value;
  switch (cond.op) {
    case 'exists':
      return (actual !== undefined && actual !== null) === (expected === undefined ? true : Boolean(expected));
    case 'eq':
      return actual === expected || compare(actual, expected) === 0;
    case 'ne':
      return !(actual === expected || compare(actual, expected) === 0);
    case 'gt': { const c = compare(actual, expected); return c !== undefined && c > 0; }
    case 'gte': { const c = compare(actual, expected); return c !== undefined && c >= 0; }
    case 'lt': { const c = compare(actual, expected); return c !== undefined && c < 0; }
    case 'lte': { const c = compare(actual, expected); return c !== undefined && c <= 0; }
    case 'in':
      return Array.isArray(expected) && expected.some((v) => v === actual || compare(actual, v) === 0);
    case 'notIn':
      return Array.isArray(expected) && !expected.some((v) => v === actual || compare(actual, v) === 0);
    case 'contains':
      if (Array.isArray(actual)) return actual.includes(expected);
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
  }
}
