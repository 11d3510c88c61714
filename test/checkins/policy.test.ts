// Configuration of surveys and check-ins: environment variables with defaults and one-line errors,
// and the check-in plans file (per plan and per segment cadence).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../domain/config';
import { loadCheckinPolicy, resolveCheckinRule } from '../../activities/checkins';
import { isLowScore, isValidScore } from '../../workflows/survey/scores';
import { parseReportQuery } from '../../client/api/surveys-report';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkin-plans-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('configuration', () => {
  it('has defaults', () => {
    const c = loadConfig({});
    expect(c.surveys).toEqual({ fatigueDays: 30, alertWebhookUrl: undefined, alertCommentGraceMinutes: 10, alertCustomerUrl: undefined });
    expect(c.checkins).toEqual({ cadenceDays: 28, recentContactDays: 7, autoStart: false, stopEvents: ['unsubscribed', 'churned'], plansFile: undefined });
  });

  it('reads the variables', () => {
    const c = loadConfig({
      SURVEY_FATIGUE_DAYS: '0', ALERT_WEBHOOK_URL: 'https://hooks.example.com/outreach', ALERT_COMMENT_GRACE_MINUTES: '0',
      ALERT_CUSTOMER_URL: 'https://crm.example.com/c/{id}', CHECKIN_CADENCE_DAYS: '14', CHECKIN_RECENT_CONTACT_DAYS: '3',
      CHECKIN_AUTO_START: 'yes', CHECKIN_STOP_EVENTS: 'churned, subscription_cancelled', CHECKIN_PLANS_FILE: '/etc/outreach/checkins.yaml',
    });
    expect(c.surveys).toMatchObject({ fatigueDays: 0, alertWebhookUrl: 'https://hooks.example.com/outreach', alertCommentGraceMinutes: 0, alertCustomerUrl: 'https://crm.example.com/c/{id}' });
    expect(c.checkins).toEqual({ cadenceDays: 14, recentContactDays: 3, autoStart: true, stopEvents: ['churned', 'subscription_cancelled'], plansFile: '/etc/outreach/checkins.yaml' });
  });

  it.each([
    [{ SURVEY_FATIGUE_DAYS: '-1' }, /^SURVEY_FATIGUE_DAYS must be an integer from 0 to 3660 \(got "-1"\)$/],
    [{ ALERT_WEBHOOK_URL: 'ftp://x' }, /^ALERT_WEBHOOK_URL must be an http:\/\/ or https:\/\/ URL/],
    [{ ALERT_CUSTOMER_URL: 'https://crm.example.com/c' }, /^ALERT_CUSTOMER_URL must contain \{id\}/],
    [{ CHECKIN_CADENCE_DAYS: '0' }, /^CHECKIN_CADENCE_DAYS must be an integer from 1/],
    [{ CHECKIN_AUTO_START: 'maybe' }, /^CHECKIN_AUTO_START must be true or false/],
    [{ CHECKIN_STOP_EVENTS: 'Churned!' }, /^CHECKIN_STOP_EVENTS must be comma-separated event names/],
  ])('rejects %j with a one-line message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('check-in plans file', () => {
  it('overrides the cadence per plan and per segment (a segment wins)', () => {
    const plansFile = file('plans.yaml', [
      'cadenceDays: 30',
      'plans:',
      '  enterprise: { cadenceDays: 14 }',
      '  trial: { enabled: false }',
      'segments:',
      '  at-risk: { cadenceDays: 7, template: onboarding-checkin }',
    ].join('\n'));
    const policy = loadCheckinPolicy(loadConfig({ CHECKIN_PLANS_FILE: plansFile, CHECKIN_CADENCE_DAYS: '28' }));
    expect(resolveCheckinRule(policy, {})).toMatchObject({ cadenceDays: 30, enabled: true, template: 'periodic-checkin', recentContactDays: 7, rule: 'default' });
    expect(resolveCheckinRule(policy, { plan: 'enterprise' })).toMatchObject({ cadenceDays: 14, rule: 'plan:enterprise' });
    expect(resolveCheckinRule(policy, { plan: 'trial' })).toMatchObject({ enabled: false });
    expect(resolveCheckinRule(policy, { plan: 'enterprise', segment: 'at-risk' })).toMatchObject({ cadenceDays: 7, template: 'onboarding-checkin', rule: 'segment:at-risk' });
    expect(resolveCheckinRule(policy, { plan: 'unknown' })).toMatchObject({ cadenceDays: 30, rule: 'default' });
  });

  it('accepts JSON, and uses the environment without a file', () => {
    const json = file('plans.json', JSON.stringify({ planAttribute: 'tier', plans: { gold: { cadenceDays: 10 } } }));
    const policy = loadCheckinPolicy(loadConfig({ CHECKIN_PLANS_FILE: json }));
    expect(resolveCheckinRule(policy, { tier: 'gold' })).toMatchObject({ cadenceDays: 10 });
    expect(resolveCheckinRule(loadCheckinPolicy(loadConfig({ CHECKIN_CADENCE_DAYS: '21' })), { plan: 'gold' }).cadenceDays).toBe(21);
  });

  it.each([
    ['typo.yaml', 'cadenceDay: 10', /typo\.yaml: cadenceDay is not a check-in setting/],
    ['days.yaml', 'plans:\n  free: { cadenceDays: 0 }', /plans\.free\.cadenceDays must be a whole number of days from 1 to 3660 \(got 0\)/],
    ['shape.yaml', 'plans: [free]', /plans must map names to settings/],
    ['broken.yaml', 'plans: {', /is not valid YAML or JSON/],
  ])('names the problem in %s', (name, text, message) => {
    const config = loadConfig({ CHECKIN_PLANS_FILE: file(name, text) });
    expect(() => loadCheckinPolicy(config)).toThrow(ConfigError);
    expect(() => loadCheckinPolicy(config)).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() => loadCheckinPolicy(loadConfig({ CHECKIN_PLANS_FILE: path.join(dir, 'nope.yaml') }))).toThrow(/CHECKIN_PLANS_FILE=.*nope\.yaml cannot be read \(ENOENT\)/);
  });
});

describe('scores', () => {
  it('knows the ranges and what is low', () => {
    expect([0, 1, 5, 6].map((s) => isValidScore('csat', s))).toEqual([false, true, true, false]);
    expect([0, 10, 11, 2.5].map((s) => isValidScore('nps', s))).toEqual([true, true, false, false]);
    expect([1, 2, 3].map((s) => isLowScore('csat', s))).toEqual([true, true, false]);
    expect([0, 6, 7].map((s) => isLowScore('nps', s))).toEqual([true, true, false]);
    expect([3, 4].map((s) => isLowScore('ces', s))).toEqual([true, false]);
  });

  it('defaults the report to the last 30 days by survey', () => {
    const now = Date.parse('2026-06-15T12:00:00Z');
    expect(parseReportQuery({}, now)).toEqual({ since: new Date('2026-05-16T12:00:00Z'), until: new Date(now), groupBy: ['survey'] });
  });
});
