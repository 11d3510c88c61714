// The dry run: timelines for the shipped sequences in customers' own business hours (Berlin around
// Easter and a DST change, Tokyo through Golden Week), event-driven paths, exits, surveys, splits.
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { isSendAllowed, nextSendTime, resolveCalendar } from '../../domain/calendar';
import { parseSequence } from '../../domain/sequence/parse';
import {
  addBusinessDays,
  bucket,
  DEFAULT_ACCOUNT_CALENDAR,
  formatTimeline,
  nextLocalTime,
  simulate,
  SimulationInputError,
  type SimCustomer,
  type SimEvent,
  type SimulationResult,
} from '../../domain/sequence/simulate';
import type { SequenceDefinition } from '../../domain/sequence/types';

const ROOT = path.resolve(__dirname, '../..');
const load = (name: string): SequenceDefinition =>
  parseSequence(fs.readFileSync(path.join(ROOT, 'sequences', name), 'utf8'), `sequences/${name}`);
const onboarding = load('onboarding.yaml');
/** The calendar's own instants (sends at the window's start): SPREAD_SENDS off, so times read exactly. */
const sim = (def: SequenceDefinition, input: Parameters<typeof simulate>[1]) => simulate(def, { spreadSends: false, ...input });

const berlin: SimCustomer = { email: 'ada@example.com', locale: 'de', timeZone: 'Europe/Berlin', country: 'DE', region: 'BY', consent: { marketing: true } };
const tokyo: SimCustomer = { email: 'ken@example.com', locale: 'ja', timeZone: 'Asia/Tokyo', country: 'JP', consent: { marketing: true } };
/** Friday 27 March 2026, 08:00 UTC: 09:00 in Berlin (two days before DST), 17:00 in Tokyo. */
const START = '2026-03-27T08:00:00Z';

/** [local time, step] of every email sent: what a marketer reads off the timeline. */
const sends = (r: SimulationResult) => r.sends.map((e) => [DateTime.fromISO(e.local, { setZone: true }).toFormat('ccc yyyy-MM-dd HH:mm'), e.stepId]);

/** Every send except `at: now` lies inside 09:00-17:00 local on a working, non-holiday day. */
function expectBusinessHours(r: SimulationResult, customer: SimCustomer) {
  const calendar = resolveCalendar(customer, DEFAULT_ACCOUNT_CALENDAR);
  const scheduled = r.sends.filter((e) => e.stepId !== 'welcome');
  expect(scheduled.length).toBeGreaterThan(0);
  for (const e of scheduled) {
    const local = DateTime.fromISO(e.at, { zone: customer.timeZone! });
    expect(local.hour).toBeGreaterThanOrEqual(9);
    expect(local.hour).toBeLessThan(17);
    expect(local.weekday).toBeLessThanOrEqual(5);
    expect(isSendAllowed(new Date(e.at), calendar)).toBe(true);
    // The local column is the same instant as the UTC column.
    expect(Date.parse(e.local)).toBe(Date.parse(e.at));
  }
}

describe('onboarding in the customer\'s business hours', () => {
  it('Berlin: skips Easter and 1 May, keeps 09:00 across the DST change', () => {
    const r = sim(onboarding, { customer: berlin, start: START });
    expect(r.status).toBe('completed');
    expect(r.zone).toBe('Europe/Berlin');
    expect(sends(r)).toEqual([
      ['Fri 2026-03-27 09:00', 'welcome'],
      ['Tue 2026-03-31 09:00', 'tips-1'], // 2 business days: Mon 30, Tue 31 (CEST from the 29th)
      ['Tue 2026-04-07 09:00', 'tips-2'], // 3 more: Wed 1, Thu 2, (Good Friday, Easter Monday) Tue 7
      ['Tue 2026-04-14 09:01', 'nudge'], // no first_value by day ~14
      ['Tue 2026-04-21 09:01', 'checkin'],
      ['Thu 2026-04-30 09:01', 'nps'],
      ['Wed 2026-05-06 09:01', 'nps.reminder'], // 3 business days, 1 May (Labour Day) excluded
    ]);
    expectBusinessHours(r, berlin);
  });

  it('Tokyo: after-hours signup, tips next morning, Golden Week skipped', () => {
    const r = sim(onboarding, { customer: tokyo, start: START });
    expect(sends(r)).toEqual([
      ['Fri 2026-03-27 17:00', 'welcome'], // at: now, even at the window's end
      ['Wed 2026-04-01 09:00', 'tips-1'], // 2 business days land on Tue 17:00, the window has closed
      ['Mon 2026-04-06 09:00', 'tips-2'],
      ['Mon 2026-04-13 09:01', 'nudge'],
      ['Mon 2026-04-20 09:01', 'checkin'],
      ['Thu 2026-04-30 09:00', 'nps'], // day 30 is Shōwa Day (29 April)
      ['Fri 2026-05-08 09:00', 'nps.reminder'], // 1 May, then 4-6 May are holidays: 7th, 8th
    ]);
    expectBusinessHours(r, tokyo);
  });

  it('shows every step in order, with UTC and local time of the same instant', () => {
    const r = sim(onboarding, { customer: tokyo, start: START });
    const at = r.timeline.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(r.timeline[0]).toMatchObject({ kind: 'start', at: '2026-03-27T08:00:00.000Z', local: '2026-03-27T17:00:00+09:00' });
    expect(r.timeline.at(-1)).toMatchObject({ kind: 'end', stepId: 'done' });
    const text = formatTimeline(r);
    expect(text).toContain('simulation only, nothing was sent');
    expect(text).toContain('Fri 2026-05-08 09:00 +09:00  2026-05-08 00:00Z  nps.reminder  SEND');
    expect(text).toContain('7 emails would be sent; completed');
  });

  it('a first_value event before day 14 skips the nudge, and counts as the goal', () => {
    const events: SimEvent[] = [{ name: 'first_value', occurredAt: '2026-04-02T12:00:00Z', properties: {} }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.sends.map((e) => e.stepId)).toEqual(['welcome', 'tips-1', 'tips-2', 'checkin', 'nps', 'nps.reminder']);
    expect(r.timeline.find((e) => e.stepId === 'first-value')).toMatchObject({ kind: 'event', at: '2026-04-14T07:00:00.000Z' });
    expect(r.goalReachedAt).toBe('2026-04-02T12:00:00.000Z');
    // The check-in stays at day ~21 whichever path was taken.
    expect(r.sends.find((e) => e.stepId === 'checkin')?.at).toBe('2026-04-21T07:00:00.000Z');
  });

  it('a first_value event after the check still gets the nudge', () => {
    const events: SimEvent[] = [{ name: 'first_value', occurredAt: '2026-04-15T12:00:00Z', properties: {} }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.sends.map((e) => e.stepId)).toContain('nudge');
  });

  it('an unsubscribe stops the timeline at once', () => {
    const events: SimEvent[] = [{ name: 'unsubscribed', occurredAt: '2026-04-08T15:00:00Z', properties: {} }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.status).toBe('exited');
    expect(r.exitReason).toBe('event:unsubscribed');
    expect(r.sends.map((e) => e.stepId)).toEqual(['welcome', 'tips-1', 'tips-2']);
    expect(r.timeline.at(-1)).toMatchObject({ kind: 'exit', at: '2026-04-08T15:00:00.000Z' });
    expect(r.sends.every((e) => Date.parse(e.at) < Date.parse('2026-04-08T15:00:00Z'))).toBe(true);
  });

  it('an answer before the reminder is due: no reminder, a thank-you', () => {
    const events: SimEvent[] = [{ name: 'survey_answered', occurredAt: '2026-05-01T10:00:00Z', properties: { score: 9 } }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.sends.map((e) => e.stepId).slice(-2)).toEqual(['nps', 'thanks']);
    expect(r.timeline.find((e) => e.kind === 'answer')).toMatchObject({ stepId: 'nps', text: 'answered with score 9' });
    // The thank-you waits for business hours: Monday 4 May, 1 May being a holiday.
    expect(sends(r).at(-1)).toEqual(['Mon 2026-05-04 09:00', 'thanks']);
  });

  it('an answer after the reminder: reminder and thank-you', () => {
    const events: SimEvent[] = [{ name: 'survey_answered', occurredAt: '2026-05-07T10:00:00Z', properties: { score: 3 } }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.sends.map((e) => e.stepId).slice(-3)).toEqual(['nps', 'nps.reminder', 'thanks']);
  });

  it('an answer given before the survey was sent does not count', () => {
    const events: SimEvent[] = [{ name: 'survey_answered', occurredAt: '2026-04-01T10:00:00Z', properties: { score: 10 } }];
    const r = sim(onboarding, { customer: berlin, start: START, events });
    expect(r.sends.map((e) => e.stepId)).not.toContain('thanks');
    expect(r.timeline.find((e) => e.kind === 'unanswered')).toBeDefined();
  });

  it('marketing emails are suppressed without marketing consent; transactional ones are not', () => {
    const r = sim(onboarding, { customer: { ...berlin, consent: { marketing: false } }, start: START });
    expect(r.sends.map((e) => e.stepId)).toEqual(['welcome', 'nps', 'nps.reminder']);
    expect(r.timeline.filter((e) => e.kind === 'suppressed').map((e) => e.stepId)).toEqual(['tips-1', 'tips-2', 'nudge', 'checkin']);
  });

  it('starts at the trigger event when no start is given, and ignores earlier events', () => {
    const events: SimEvent[] = [
      { name: 'first_value', occurredAt: '2026-03-20T10:00:00Z', properties: {} },
      { name: 'signup', occurredAt: START, properties: {} },
    ];
    const r = sim(onboarding, { customer: berlin, events });
    expect(r.timeline[0]!.at).toBe('2026-03-27T08:00:00.000Z');
    expect(r.sends.map((e) => e.stepId)).toContain('nudge');
    expect(r.notes).toContain('1 event(s) before the start are ignored (first_value)');
  });

  it('a customer without a time zone gets the account calendar', () => {
    const r = sim(onboarding, { customer: { email: 'x@example.com' }, start: START });
    expect(r.zone).toBe('UTC');
    expect(r.notes[0]).toMatch(/no time zone/);
  });
});

describe('send spreading, as the engine does it', () => {
  it('spreads each send over the window by customer id (SPREAD_SENDS, on by default), like the engine\'s nextSendTime', () => {
    const spread = simulate(onboarding, { customer: berlin, start: START, customerId: 'cust-42' });
    const plain = sim(onboarding, { customer: berlin, start: START });
    const calendar = resolveCalendar(berlin, DEFAULT_ACCOUNT_CALENDAR);
    expect(spread.sends.map((e) => e.stepId)).toEqual(plain.sends.map((e) => e.stepId));
    // Each spread send is the engine's own slot for that customer: nextSendTime with the customer id as key.
    const tips = spread.sends.find((e) => e.stepId === 'tips-1')!;
    const wait = spread.timeline.find((e) => e.stepId === 'wait-tips-1')!;
    expect(tips.at).toBe(nextSendTime(Date.parse(wait.at), calendar, { key: 'cust-42' }).toISOString());
    expect(spread.sends.filter((e) => e.stepId !== 'welcome').some((e) => DateTime.fromISO(e.local, { setZone: true }).toFormat('HH:mm') !== '09:00')).toBe(true);
    expectBusinessHours(spread, berlin);
    expect(spread.notes.some((n) => n.includes('SPREAD_SENDS'))).toBe(true);
    // Another customer lands elsewhere in the window; the same customer always at the same place.
    const other = simulate(onboarding, { customer: berlin, start: START, customerId: 'cust-7' });
    expect(other.sends.find((e) => e.stepId === 'tips-1')!.at).not.toBe(tips.at);
    expect(simulate(onboarding, { customer: berlin, start: START, customerId: 'cust-42' }).sends).toEqual(spread.sends);
  });
});

describe('the other shipped sequences', () => {
  it('post-purchase: CSAT 2 business days after delivery, one enrollment per order', () => {
    const def = load('post-purchase.yaml');
    const events: SimEvent[] = [
      { name: 'purchase', occurredAt: '2026-06-01T10:00:00Z', properties: { orderId: 'A-1' } },
      { name: 'order_delivered', occurredAt: '2026-06-04T16:00:00Z', properties: { orderId: 'A-1' } }, // Thursday 18:00 Berlin
    ];
    const r = sim(def, { customer: berlin, events });
    // Thu 18:00 + 2 business days (Fri 5, Mon 8) = Mon 18:00, after hours: Tue 09:00.
    expect(sends(r)).toEqual([['Tue 2026-06-09 09:00', 'csat'], ['Fri 2026-06-12 09:00', 'csat.reminder']]);
    expect(sim(def, { customer: berlin, events: [{ ...events[0]!, properties: {} }] }).status).toBe('not-enrolled');
  });

  it('post-purchase: nothing is sent when the delivery is never reported', () => {
    const r = sim(load('post-purchase.yaml'), { customer: berlin, events: [{ name: 'purchase', occurredAt: '2026-06-01T10:00:00Z', properties: { orderId: 'A-1' } }] });
    expect(r.sends).toEqual([]);
    expect(r.timeline.find((e) => e.kind === 'timeout')?.at).toBe('2026-07-31T10:00:00.000Z');
  });

  it('loyalty: the 5th purchase enrolls, the 4th does not', () => {
    const def = load('loyalty.yaml');
    const purchases = (n: number): SimEvent[] => Array.from({ length: n }, (_, i) => ({
      name: 'purchase', occurredAt: `2026-0${i + 1}-10T10:00:00Z`, properties: { orderId: `O-${i + 1}` },
    }));
    // The purchase at --start is the trigger; the ones before it are the customer's history.
    const fifth = sim(def, { customer: berlin, events: purchases(5), start: '2026-05-10T10:00:00Z' });
    expect(fifth.status).toBe('completed');
    expect(sends(fifth)).toEqual([['Mon 2026-05-11 09:00', 'milestone']]); // Sunday → Monday morning
    const fourth = sim(def, { customer: berlin, events: purchases(5), start: '2026-04-10T10:00:00Z' });
    expect(fourth.status).toBe('not-enrolled');
    expect(fourth.timeline[0]!.text).toBe('not enrolled: this is "purchase" number 4, which is no milestone of this sequence');
  });

  it('support follow-up: the next business morning, one reminder; a reopened ticket stops it', () => {
    const def = load('support-follow-up.yaml');
    // Friday 15:00 Berlin: the next 09:00 is Saturday, the survey waits for Monday.
    const closed: SimEvent = { name: 'ticket_closed', occurredAt: '2026-06-12T13:00:00Z', properties: { ticketId: 'T-9' } };
    const r = sim(def, { customer: berlin, events: [closed] });
    expect(sends(r)).toEqual([['Mon 2026-06-15 09:00', 'csat'], ['Wed 2026-06-17 09:00', 'csat.reminder']]);
    const reopened = sim(def, { customer: berlin, events: [closed, { name: 'ticket_reopened', occurredAt: '2026-06-13T08:00:00Z', properties: {} }] });
    expect(reopened.status).toBe('exited');
    expect(reopened.sends).toEqual([]);
  });
});

describe('splits and branches', () => {
  const split = parseSequence([
    'id: ab', 'version: 1', 'trigger: { event: signup }',
    'steps:',
    '  - id: ab',
    '    type: split',
    '    variants:',
    '      - { name: short, percent: 45, next: a }',
    '      - { name: long, percent: 45, next: b }',
    '    holdout: { percent: 10 }',
    '  - { id: a, type: send, template: onboarding-tips-1, category: transactional, next: done }',
    '  - { id: b, type: send, template: onboarding-tips-2, category: transactional }',
    '  - { id: done, type: end }',
  ].join('\n'), 'ab.yaml');

  it('a forced variant takes its path; holdout receives nothing', () => {
    expect(sim(split, { customer: berlin, start: START, variant: 'long' }).sends.map((e) => e.template)).toEqual(['onboarding-tips-2']);
    const held = sim(split, { customer: berlin, start: START, variant: 'holdout' });
    expect(held).toMatchObject({ status: 'holdout', variant: 'holdout', sends: [] });
    expect(held.timeline.at(-1)?.text).toMatch(/holdout group \(10%\): receives nothing/);
  });

  it('without a forced variant, the seed decides as the engine buckets (FNV-1a, 0-99)', () => {
    expect(bucket('')).toBe(0x811c9dc5 % 100);
    const picks = new Set<string | undefined>();
    for (let i = 0; i < 40; i++) {
      const seed = `wf-${i}`;
      const r = sim(split, { customer: berlin, start: START, seed });
      const b = bucket(`${seed}:ab`);
      expect(r.variant).toBe(b < 45 ? 'short' : b < 90 ? 'long' : 'holdout');
      expect(sim(split, { customer: berlin, start: START, seed }).variant).toBe(r.variant);
      picks.add(r.variant);
    }
    expect(picks.size).toBeGreaterThan(1);
  });

  it('an unknown forced variant is noted and the seed decides', () => {
    const r = sim(split, { customer: berlin, start: START, variant: 'medium' });
    expect(r.notes.some((n) => n.includes('split "ab" has no variant "medium" (it has short, long, holdout)'))).toBe(true);
  });

  it('branches read custom attributes as customer.<name> and the trigger event as event.*', () => {
    const def = parseSequence([
      'id: br', 'version: 1', 'trigger: { event: signup }',
      'steps:',
      '  - id: plan',
      '    type: branch',
      '    cases:',
      '      - when: { all: [{ field: customer.plan, op: eq, value: pro }, { field: event.source, op: eq, value: ads }] }',
      '        next: pro',
      '    otherwise: basic',
      '  - { id: pro, type: send, template: onboarding-tips-1, category: transactional, next: done }',
      '  - { id: basic, type: send, template: onboarding-tips-2, category: transactional }',
      '  - { id: done, type: end }',
    ].join('\n'), 'br.yaml');
    const signup = (source: string): SimEvent[] => [{ name: 'signup', occurredAt: START, properties: { source } }];
    const pro = { ...berlin, attributes: { plan: 'pro' } };
    expect(sim(def, { customer: pro, events: signup('ads') }).sends.map((e) => e.stepId)).toEqual(['pro']);
    expect(sim(def, { customer: pro, events: signup('seo') }).sends.map((e) => e.stepId)).toEqual(['basic']);
    expect(sim(def, { customer: berlin, events: signup('ads') }).sends.map((e) => e.stepId)).toEqual(['basic']);
  });
});

describe('calendar helpers', () => {
  const cal = resolveCalendar(berlin, DEFAULT_ACCOUNT_CALENDAR);
  const local = (t: number) => DateTime.fromMillis(t, { zone: 'Europe/Berlin' }).toFormat('ccc yyyy-MM-dd HH:mm');

  it('addBusinessDays keeps the local time and skips weekends and holidays', () => {
    expect(local(addBusinessDays(Date.parse('2026-04-02T14:30:00Z'), 1, cal))).toBe('Tue 2026-04-07 16:30'); // Easter
    expect(local(addBusinessDays(Date.parse('2026-06-13T10:00:00Z'), 1, cal))).toBe('Mon 2026-06-15 12:00'); // from Saturday
  });

  it('nextLocalTime finds the next HH:mm on the given weekdays, at or after the instant', () => {
    const at = Date.parse('2026-06-10T08:00:00Z'); // Wednesday 10:00 Berlin
    expect(local(nextLocalTime(at, cal, { time: '09:00' }))).toBe('Thu 2026-06-11 09:00');
    expect(local(nextLocalTime(at, cal, { time: '10:00' }))).toBe('Wed 2026-06-10 10:00');
    expect(local(nextLocalTime(at, cal, { weekdays: [3] }))).toBe('Wed 2026-06-10 10:00');
    expect(local(nextLocalTime(at, cal, { weekdays: [1] }))).toBe('Mon 2026-06-15 00:00');
    expect(local(nextLocalTime(at, cal, { time: '11:30', weekdays: [2, 4] }))).toBe('Thu 2026-06-11 11:30');
    // 02:30 does not exist on 29 March 2026 in Berlin: the clock jumps to 03:30.
    expect(local(nextLocalTime(Date.parse('2026-03-28T23:00:00Z'), cal, { time: '02:30' }))).toBe('Sun 2026-03-29 03:30');
  });
});

describe('bad input names the field', () => {
  const attempt = (input: Parameters<typeof simulate>[1]) => {
    try {
      simulate(onboarding, input);
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it.each([
    [{ customer: berlin, events: [{ name: 'signup', occurredAt: 'yesterday' }] }, 'events[0].occurredAt'],
    [{ customer: berlin, events: [{ name: 'Sign Up', occurredAt: START }] }, 'events[0].name'],
    [{ customer: { ...berlin, timeZone: 'Mars/Olympus' }, start: START }, 'customer.timeZone'],
    [{ customer: { ...berlin, country: 'XX' }, start: START }, 'customer.country'],
    [{ customer: berlin }, 'start'],
    [{ customer: berlin, start: START, events: [{ name: 'survey_answered', occurredAt: '2026-05-01T10:00:00Z', properties: { score: 'great' } }] }, 'events[0].properties.score'],
  ] as Array<[Parameters<typeof simulate>[1], string]>)('%#: %s', (input, field) => {
    const err = attempt(input);
    expect(err).toBeInstanceOf(SimulationInputError);
    expect((err as SimulationInputError).field).toBe(field);
  });
});
