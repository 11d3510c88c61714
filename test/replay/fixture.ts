// The sequences whose recorded histories guard determinism (test/replay/record-history.ts records
// them, test/replay/replay.test.ts replays them). Plain data, snapshotted into each recorded
// workflow's input: changing a definition here changes nothing in a recorded history, it only
// changes what the next recording of a *new* generation would hold.
import type { SequenceDefinition } from '../../domain/sequence/types';

/**
 * Generation v1 (before the `exit-when-check` and `local-activities` patches): the sequence of
 * sequence-v1-*.json, recorded at c1b042a. Kept for reference; today's code cannot record v1.
 */
export const replaySequence: SequenceDefinition = {
  id: 'replay-guard',
  version: 1,
  trigger: { event: 'signup' },
  entry: { mode: 'oncePerCustomer' },
  exit: { events: ['churned'] },
  goal: { event: 'first_value' },
  steps: [
    { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'pause-2bd', type: 'wait', duration: { businessDays: 2 } },
    { id: 'tips', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    { id: 'value', type: 'waitForEvent', event: 'first_value', timeout: { days: 5 }, onEvent: 'plan', onTimeout: 'nudge' },
    { id: 'nudge', type: 'send', template: 'onboarding-tips-2', category: 'transactional', next: 'plan' },
    { id: 'plan', type: 'branch', cases: [{ when: { field: 'customer.plan', op: 'eq', value: 'pro' }, next: 'ab' }], otherwise: 'midweek' },
    { id: 'midweek', type: 'waitUntil', time: '10:00', weekdays: [3] },
    { id: 'ab', type: 'split', variants: [{ name: 'a', percent: 50, next: 'checkin' }, { name: 'b', percent: 50, next: 'checkin' }] },
    { id: 'checkin', type: 'send', template: 'onboarding-checkin', category: 'transactional' },
    { id: 'done', type: 'end' },
  ],
};

/**
 * Generation v2 (`local-activities` + `exit-when-check`): every step kind of the interpreter in one
 * enrollment, recorded as a chain of continued runs (the recorder starts it with a low historyLimit).
 * Its `exit.when` never holds, so the attribute check runs before every step without exiting.
 */
export const everyStepSequence: SequenceDefinition = {
  id: 'replay-every-step',
  version: 1,
  trigger: { event: 'replay_every_step' },
  entry: { mode: 'oncePerCustomer' },
  exit: { events: ['churned'], when: { field: 'customer.plan', op: 'eq', value: 'cancelled' } },
  goal: { event: 'first_value', within: { days: 30 } },
  steps: [
    { id: 'welcome', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' },
    { id: 'settle', type: 'wait', duration: { businessDays: 2 } },
    { id: 'tips', type: 'send', template: 'onboarding-tips-1', category: 'transactional' },
    // Met while waiting: the event is signalled during this step.
    { id: 'value', type: 'waitForEvent', event: 'first_value', timeout: { days: 3 }, onEvent: 'team', onTimeout: 'team' },
    // Met at once: invited_team arrived earlier (during `settle`) and waited in the inbox, across continueAsNew.
    { id: 'team', type: 'waitForEvent', event: 'invited_team', timeout: { hours: 1 }, onEvent: 'feature', onTimeout: 'feature' },
    // Timed out: nobody sends feature_used.
    { id: 'feature', type: 'waitForEvent', event: 'feature_used', timeout: { businessDays: 1 }, onEvent: 'midweek', onTimeout: 'midweek' },
    { id: 'midweek', type: 'waitUntil', time: '10:00', weekdays: [3] },
    { id: 'csat', type: 'survey', kind: 'csat', template: 'csat-survey', reminder: { afterBusinessDays: 1, template: 'survey-reminder' }, window: { days: 3 } },
    { id: 'low', type: 'branch', cases: [{ when: { field: 'survey.score', op: 'lte', value: 2 }, next: 'sorry' }], otherwise: 'ab' },
    { id: 'sorry', type: 'send', template: 'survey-thanks', category: 'survey', next: 'ab' },
    { id: 'ab', type: 'split', variants: [{ name: 'a', percent: 50, next: 'month' }, { name: 'b', percent: 50, next: 'month' }] },
    // Past the survey fatigue period (30 days), so the second survey is sent.
    { id: 'month', type: 'wait', duration: { days: 31 } },
    { id: 'nps', type: 'survey', kind: 'nps', template: 'nps-survey', reminder: { afterBusinessDays: 2, template: 'survey-reminder' }, window: { days: 5 } },
    { id: 'answered', type: 'branch', cases: [{ when: { field: 'survey.score', op: 'exists' }, next: 'thanks' }], otherwise: 'done' },
    { id: 'thanks', type: 'send', template: 'survey-thanks', category: 'survey' },
    { id: 'done', type: 'end' },
  ],
};

/** A survey step for a customer surveyed days ago: the child is skipped (fatigue), the sequence goes on. */
export const fatigueSequence: SequenceDefinition = {
  id: 'replay-fatigue',
  version: 1,
  trigger: { event: 'ticket_closed' },
  entry: { mode: 'oncePerKey', key: 'ticketId' },
  steps: [
    { id: 'csat', type: 'survey', kind: 'csat', template: 'csat-survey', reminder: { afterBusinessDays: 2, template: 'survey-reminder' } },
    { id: 'answered', type: 'branch', cases: [{ when: { field: 'survey.score', op: 'exists' }, next: 'thanks' }], otherwise: 'done' },
    { id: 'thanks', type: 'send', template: 'survey-thanks', category: 'survey' },
    { id: 'done', type: 'end' },
  ],
};

/** A survey step the customer leaves by unsubscribing: the step is interrupted, the child closes with the parent. */
export const exitDuringSurveySequence: SequenceDefinition = {
  id: 'replay-exit-during-survey',
  version: 1,
  trigger: { event: 'replay_exit_during_survey' },
  entry: { mode: 'oncePerCustomer' },
  exit: { events: ['unsubscribed'] },
  steps: [
    { id: 'csat', type: 'survey', kind: 'csat', template: 'csat-survey' },
    { id: 'thanks', type: 'send', template: 'survey-thanks', category: 'survey' },
    { id: 'done', type: 'end' },
  ],
};

/** A survey step whose child an operator terminates: the step ends `failed:<reason>` and the sequence goes on. */
export const surveyTerminatedSequence: SequenceDefinition = {
  id: 'replay-survey-terminated',
  version: 1,
  trigger: { event: 'replay_survey_terminated' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'ces', type: 'survey', kind: 'ces', template: 'ces-survey' },
    { id: 'after', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' },
    { id: 'done', type: 'end' },
  ],
};

/** Two emails around a wait: for exits, pause/resume, cancels. */
function twoEmails(id: string, extra: Partial<SequenceDefinition> = {}, wait: SequenceDefinition['steps'][number] = { id: 'wait', type: 'wait', duration: { days: 3 } }): SequenceDefinition {
  return {
    id,
    version: 1,
    trigger: { event: id.replace(/-/g, '_') },
    entry: { mode: 'oncePerCustomer' },
    ...extra,
    steps: [
      { id: 'first', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
      wait,
      { id: 'second', type: 'send', template: 'onboarding-tips-2', category: 'marketing' },
      { id: 'done', type: 'end' },
    ],
  };
}

/** Exit by event: `purchase` arrives during the wait. */
export const exitEventSequence = twoEmails('replay-exit-event', { exit: { events: ['purchase'] } });

/** Exit by attribute: the profile's plan becomes "cancelled" during the wait; checked at the next step. */
export const exitWhenSequence = twoEmails('replay-exit-when', { exit: { when: { field: 'customer.plan', op: 'eq', value: 'cancelled' } } });

/** Paused during a business-day wait that ends while paused; resumed days later. */
export const pauseSequence = twoEmails('replay-pause', {}, { id: 'wait', type: 'wait', duration: { businessDays: 2 } });

/** Cancelled by the `cancel` signal during the wait. */
export const cancelSequence = twoEmails('replay-cancel');

/** Cancelled through Temporal (workflow cancellation) during the wait. */
export const temporalCancelSequence = twoEmails('replay-temporal-cancel');

/** One email in business hours; the customer moves (time zone) while the send waits for its slot. */
export const profileChangeSequence: SequenceDefinition = {
  id: 'replay-profile-change',
  version: 1,
  trigger: { event: 'replay_profile_change' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'hello', type: 'send', template: 'onboarding-tips-1', category: 'marketing' },
    { id: 'done', type: 'end' },
  ],
};

/** Four marketing emails at once: the fourth is over MARKETING_CAP (3/7d) and deferred, then sent. */
export const capSequence: SequenceDefinition = {
  id: 'replay-cap',
  version: 1,
  trigger: { event: 'replay_cap' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'm1', type: 'send', template: 'onboarding-tips-1', category: 'marketing', at: 'now' },
    { id: 'm2', type: 'send', template: 'onboarding-tips-2', category: 'marketing', at: 'now' },
    { id: 'm3', type: 'send', template: 'onboarding-checkin', category: 'marketing', at: 'now' },
    { id: 'm4', type: 'send', template: 'periodic-checkin', category: 'marketing', at: 'now' },
    { id: 'done', type: 'end' },
  ],
};

/** Version 1 and 2 of a migrated sequence: the enrollment moves at the step boundary after `w1`. */
export const migrationV1: SequenceDefinition = {
  id: 'replay-migration',
  version: 1,
  trigger: { event: 'replay_migration' },
  entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'w1', type: 'wait', duration: { days: 1 } },
    { id: 'old-send', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' },
  ],
};
export const migrationV2: SequenceDefinition = {
  ...migrationV1,
  version: 2,
  steps: [
    { id: 'w1', type: 'wait', duration: { days: 1 } },
    { id: 'wait-more', type: 'wait', duration: { days: 2 } },
    { id: 'new-send', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now' },
  ],
};

/** A transactional email to the check-in customer a few days before a check-in is due (recent contact). */
export const contactSequence: SequenceDefinition = {
  id: 'replay-contact',
  version: 1,
  trigger: { event: 'replay_contact' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'note', type: 'send', template: 'onboarding-checkin', category: 'transactional', at: 'now' }],
};

/** Every definition the recorder's API knows (the every-step sequence is started with a historyLimit instead). */
export const apiSequences: SequenceDefinition[] = [
  fatigueSequence, exitDuringSurveySequence, surveyTerminatedSequence, exitEventSequence, exitWhenSequence, pauseSequence, cancelSequence, temporalCancelSequence,
  profileChangeSequence, capSequence, migrationV1, contactSequence,
];
