// The sequence whose recorded histories guard determinism: every step kind the interpreter has.
import type { SequenceDefinition } from '../../domain/sequence/types';

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
