// Who may be emailed what, decided at send time (not only when a sequence is scheduled): the
// suppression list, the customer's consent and the per-category rules of docs/delivery.md.
//
//   suppression "bounced" / "complained"  -> blocks every category, transactional included
//   suppression "unsubscribed" / "manual" -> blocks the categories it names ("*" = all)
//   marketing                             -> needs consentMarketing
//   survey                                -> needs consentMarketing only when SURVEY_REQUIRES_CONSENT=true
//   transactional, internal               -> no consent needed
//
// Suppressions are keyed by a hash of the normalized address, so they outlive an erased profile: an
// address that bounced or unsubscribed and is imported again stays suppressed.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import type { Config } from '../../domain/config';

/** Categories a customer can turn off (transactional mail cannot be). */
export const OPTIONAL_CATEGORIES = ['marketing', 'survey'] as const;
export type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number];

/** Suppression reasons that block every category. */
const HARD_REASONS = new Set(['bounced', 'complained']);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The Suppression key: SHA-256 (hex) of the trimmed, lower-cased address. */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}

export interface SuppressionRow {
  reason: string;
  categories: string;
  detail: string | null;
}

/** The categories a suppression row names ("*" = every category). */
export function suppressedCategories(row: Pick<SuppressionRow, 'categories'>): Set<string> {
  return new Set(row.categories.split(',').map((c) => c.trim()).filter(Boolean));
}

/** Whether `row` blocks `category`. */
export function blocks(row: SuppressionRow, category: string): boolean {
  if (HARD_REASONS.has(row.reason)) return true;
  const cats = suppressedCategories(row);
  return cats.has('*') || cats.has(category);
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

/** Decides whether `customer` may get an email of `category` now. */
export async function sendPolicy(
  db: Db,
  config: Config,
  customer: { email: string; consentMarketing: boolean },
  category: string,
): Promise<PolicyDecision> {
  const row = await db.suppression.findUnique({ where: { emailHash: emailHash(customer.email) } });
  if (row && blocks(row, category)) {
    const what = HARD_REASONS.has(row.reason) ? row.reason : `${row.reason} from ${category}`;
    return { allowed: false, reason: `suppressed: ${what}${row.detail ? ` (${row.detail})` : ''}`.slice(0, 500) };
  }
  if (category === 'marketing' && !customer.consentMarketing) return { allowed: false, reason: 'no marketing consent' };
  if (category === 'survey' && config.delivery.surveyRequiresConsent && !customer.consentMarketing) {
    return { allowed: false, reason: 'no consent for surveys (SURVEY_REQUIRES_CONSENT=true)' };
  }
  return { allowed: true };
}

/**
 * Records a hard suppression (bounce, complaint) for `email`. A hard reason replaces an unsubscribe
 * row (it blocks more); an existing hard row is kept as it is.
 */
export async function suppressAddress(db: Db, email: string, reason: 'bounced' | 'complained', detail: string): Promise<void> {
  const key = emailHash(email);
  const existing = await db.suppression.findUnique({ where: { emailHash: key } });
  if (existing && HARD_REASONS.has(existing.reason)) return;
  const data = { reason, categories: '*', detail: detail.slice(0, 500) };
  try {
    if (existing) await db.suppression.update({ where: { emailHash: key }, data });
    else await db.suppression.create({ data: { emailHash: key, ...data } });
  } catch (err) {
    // A concurrent bounce for the same address wrote the row first: that is the same outcome.
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
}

export interface Preferences {
  /** Optional categories the customer still receives. */
  marketing: boolean;
  survey: boolean;
}

/** The customer's current per-category preferences, as the unsubscribe page shows them. */
export async function currentPreferences(db: Db, config: Config, customer: { email: string; consentMarketing: boolean }): Promise<Preferences & { hardSuppression?: string }> {
  const row = await db.suppression.findUnique({ where: { emailHash: emailHash(customer.email) } });
  const blocked = (c: string) => !!row && blocks(row, c);
  return {
    marketing: customer.consentMarketing && !blocked('marketing'),
    survey: !blocked('survey') && (!config.delivery.surveyRequiresConsent || customer.consentMarketing),
    ...(row && HARD_REASONS.has(row.reason) ? { hardSuppression: row.reason } : {}),
  };
}

/** The optional categories the address's suppression row turns off (whatever the reason). */
export async function suppressedOptionalCategories(db: Db, email: string): Promise<OptionalCategory[]> {
  const row = await db.suppression.findUnique({ where: { emailHash: emailHash(email) } });
  return row ? OPTIONAL_CATEGORIES.filter((c) => blocks(row, c)) : [];
}

/**
 * Stores the optional categories a customer turned off as an "unsubscribed" suppression (or removes
 * it when they turned everything back on). A hard suppression (bounce, complaint) is left alone:
 * it blocks everything anyway and only an operator lifts it.
 */
export async function storeUnsubscribedCategories(db: Db, email: string, off: OptionalCategory[], detail: string): Promise<void> {
  const key = emailHash(email);
  const existing = await db.suppression.findUnique({ where: { emailHash: key } });
  if (existing && HARD_REASONS.has(existing.reason)) return;
  if (existing && existing.reason !== 'unsubscribed') {
    // An operator's own suppression ("manual"): add what the customer turned off, never lift the rest.
    const cats = suppressedCategories(existing);
    if (cats.has('*') || off.every((c) => cats.has(c))) return;
    await db.suppression.update({ where: { emailHash: key }, data: { categories: [...new Set([...cats, ...off])].join(',') } });
    return;
  }
  const categories = OPTIONAL_CATEGORIES.filter((c) => off.includes(c)).join(',');
  if (!categories) {
    if (existing) await db.suppression.deleteMany({ where: { emailHash: key, reason: existing.reason } });
    return;
  }
  const data = { reason: 'unsubscribed', categories, detail };
  try {
    if (existing) await db.suppression.update({ where: { emailHash: key }, data });
    else await db.suppression.create({ data: { emailHash: key, ...data } });
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    await db.suppression.update({ where: { emailHash: key }, data });
  }
}
