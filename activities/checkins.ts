// Decisions of the periodic check-in workflow, made in an activity so they are recorded in history:
// the customer's cadence (by plan or segment), and whether this cycle's check-in is sent, skipped
// (recent contact, no consent, check-ins off for the plan) or ends the check-ins (customer gone).
//
// Policy: CHECKIN_CADENCE_DAYS and CHECKIN_RECENT_CONTACT_DAYS, overridden per plan or segment by the
// optional CHECKIN_PLANS_FILE (JSON or YAML), e.g.
//
//   cadenceDays: 28              # default for everyone (overrides CHECKIN_CADENCE_DAYS)
//   recentContactDays: 7         # skip a check-in when anything else was sent in these days
//   template: periodic-checkin
//   planAttribute: plan          # the customer attribute that names the plan (default "plan")
//   segmentAttribute: segment    # ... and the segment (default "segment"); a segment rule wins
//   plans:
//     enterprise: { cadenceDays: 14 }
//     free: { cadenceDays: 56 }
//     trial: { enabled: false }
//   segments:
//     at-risk: { cadenceDays: 7 }
import fs from 'node:fs';
import YAML from 'yaml';
import type { Db } from './db/client';
import { ConfigError, type Config } from '../domain/config';

export interface CheckinRule {
  enabled?: boolean;
  cadenceDays?: number;
  recentContactDays?: number;
  template?: string;
}

export interface CheckinPolicy extends Required<CheckinRule> {
  planAttribute: string;
  segmentAttribute: string;
  plans: Record<string, CheckinRule>;
  segments: Record<string, CheckinRule>;
}

export interface CheckinPlan {
  action: 'send' | 'skip' | 'stop';
  /** Why it is skipped or stopped: recent-contact, no-consent, disabled, customer-not-found. */
  reason?: string;
  cadenceDays: number;
  template: string;
  /** Which rule applied, for the workflow's state ("default", "plan:enterprise", "segment:at-risk"). */
  rule: string;
}

export const DEFAULT_CHECKIN_TEMPLATE = 'periodic-checkin';
const RULE_KEYS = ['enabled', 'cadenceDays', 'recentContactDays', 'template'];
const TOP_KEYS = [...RULE_KEYS, 'planAttribute', 'segmentAttribute', 'plans', 'segments'];

function checkRule(file: string, where: string, raw: unknown): CheckinRule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: ${where} must be a map such as { cadenceDays: 14 }`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!RULE_KEYS.includes(k)) throw new ConfigError(`${file}: ${where}.${k} is not a check-in setting (use ${RULE_KEYS.join(', ')})`);
  }
  const days = (k: 'cadenceDays' | 'recentContactDays', min: number) => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 3660) throw new ConfigError(`${file}: ${where}.${k} must be a whole number of days from ${min} to 3660 (got ${JSON.stringify(v)})`);
    return v;
  };
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') throw new ConfigError(`${file}: ${where}.enabled must be true or false`);
  if (r.template !== undefined && (typeof r.template !== 'string' || !r.template)) throw new ConfigError(`${file}: ${where}.template must be a template name`);
  const rule: CheckinRule = {};
  if (r.enabled !== undefined) rule.enabled = r.enabled as boolean;
  const cadence = days('cadenceDays', 1);
  if (cadence !== undefined) rule.cadenceDays = cadence;
  const recent = days('recentContactDays', 0);
  if (recent !== undefined) rule.recentContactDays = recent;
  if (r.template !== undefined) rule.template = r.template as string;
  return rule;
}

/** The check-in policy from config and the optional plans file; a bad file is a ConfigError naming the problem. */
export function loadCheckinPolicy(config: Config): CheckinPolicy {
  const policy: CheckinPolicy = {
    enabled: true,
    cadenceDays: config.checkins.cadenceDays,
    recentContactDays: config.checkins.recentContactDays,
    template: DEFAULT_CHECKIN_TEMPLATE,
    planAttribute: 'plan',
    segmentAttribute: 'segment',
    plans: {},
    segments: {},
  };
  const file = config.checkins.plansFile;
  if (!file) return policy;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`CHECKIN_PLANS_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): fix the path`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`CHECKIN_PLANS_FILE=${file} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return policy;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file} must be a map with cadenceDays, plans, segments, ...`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!TOP_KEYS.includes(k)) throw new ConfigError(`${file}: ${k} is not a check-in setting (use ${TOP_KEYS.join(', ')})`);
  }
  Object.assign(policy, checkRule(file, 'the top level', Object.fromEntries(Object.entries(d).filter(([k]) => RULE_KEYS.includes(k)))));
  for (const k of ['planAttribute', 'segmentAttribute'] as const) {
    if (d[k] === undefined) continue;
    if (typeof d[k] !== 'string' || !d[k]) throw new ConfigError(`${file}: ${k} must be the name of a customer attribute`);
    policy[k] = d[k] as string;
  }
  for (const group of ['plans', 'segments'] as const) {
    const g = d[group];
    if (g === undefined || g === null) continue;
    if (typeof g !== 'object' || Array.isArray(g)) throw new ConfigError(`${file}: ${group} must map names to settings, e.g. ${group}: { enterprise: { cadenceDays: 14 } }`);
    for (const [name, rule] of Object.entries(g as Record<string, unknown>)) policy[group][name] = checkRule(file, `${group}.${name}`, rule);
  }
  return policy;
}

/** The rule for a customer's attributes: defaults, then the plan's rule, then the segment's. */
export function resolveCheckinRule(policy: CheckinPolicy, attributes: Record<string, unknown>): Required<CheckinRule> & { rule: string } {
  const plan = attributes[policy.planAttribute];
  const segment = attributes[policy.segmentAttribute];
  const planRule = typeof plan === 'string' ? policy.plans[plan] : undefined;
  const segmentRule = typeof segment === 'string' ? policy.segments[segment] : undefined;
  const { enabled, cadenceDays, recentContactDays, template } = policy;
  return {
    enabled, cadenceDays, recentContactDays, template,
    ...planRule,
    ...segmentRule,
    rule: segmentRule ? `segment:${segment as string}` : planRule ? `plan:${plan as string}` : 'default',
  };
}

export function createCheckinActivities(deps: { db: Db; config: Config }) {
  const { db } = deps;
  // Read once at worker start: a bad file stops the worker with a clear message.
  const policy = loadCheckinPolicy(deps.config);

  return {
    /**
     * This cycle's decision for a customer's check-in, at `at` (workflow time). Contact counts any
     * email actually sent to the customer by another workflow (sequences, surveys; internal alerts
     * about them do not count) within the rule's recentContactDays.
     */
    async planCheckin(r: { customerId: string; workflowId: string; at: string }): Promise<CheckinPlan> {
      const customer = await db.customer.findUnique({ where: { id: r.customerId } });
      if (!customer) return { action: 'stop', reason: 'customer-not-found', cadenceDays: policy.cadenceDays, template: policy.template, rule: 'default' };
      let attributes: Record<string, unknown> = {};
      try {
        attributes = JSON.parse(customer.attributes);
      } catch {
        attributes = {};
      }
      const rule = resolveCheckinRule(policy, attributes && typeof attributes === 'object' ? attributes : {});
      const plan = { cadenceDays: rule.cadenceDays, template: rule.template, rule: rule.rule };
      if (!rule.enabled) return { action: 'skip', reason: 'disabled', ...plan };
      if (!customer.consentMarketing) return { action: 'skip', reason: 'no-consent', ...plan };
      if (rule.recentContactDays > 0) {
        const since = new Date(Date.parse(r.at) - rule.recentContactDays * 86_400_000);
        const recent = await db.sendLedger.findFirst({
          where: { customerId: r.customerId, status: 'sent', sentAt: { gte: since }, category: { not: 'internal' }, workflowId: { not: r.workflowId } },
          select: { id: true },
        });
        if (recent) return { action: 'skip', reason: 'recent-contact', ...plan };
      }
      return { action: 'send', ...plan };
    },
  };
}
