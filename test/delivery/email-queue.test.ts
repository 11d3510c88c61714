// The SMTP send runs on its own task queue (`<task queue>-email`) with Temporal's task-queue rate
// limit (EMAIL_RATE_PER_SECOND), enforced by the server for every worker of that queue.
import { startStack, type Stack } from '../support/stack';
import type { SequenceDefinition } from '../../domain/sequence/types';
import { loadConfig } from '../../domain/config';

const hello: SequenceDefinition = {
  id: 'hello', version: 1,
  trigger: { event: 'hello' },
  entry: { mode: 'oncePerCustomer' },
  steps: [{ id: 'hi', type: 'send', template: 'onboarding-welcome', category: 'transactional', at: 'now' }],
};

describe('email task queue', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ sequences: [hello], env: { EMAIL_RATE_PER_SECOND: '2' } });
  });
  afterAll(async () => stack?.stop());

  it('sends on <task queue>-email, at most EMAIL_RATE_PER_SECOND emails per second', async () => {
    expect(stack.worker!.emailTaskQueue).toBe(`${stack.taskQueue}-email`);
    const n = 8;
    for (let i = 0; i < n; i++) await stack.call('PUT', `/v1/customers/r${i}`, { email: `r${i}@example.com`, locale: 'en' });
    const events = Array.from({ length: n }, (_, i) => ({ id: `e${i}`, customerId: `r${i}`, name: 'hello', occurredAt: new Date().toISOString() }));
    const post = await stack.call('POST', '/v1/events', { events });
    expect(post.status).toBe(202);
    await stack.sink.waitFor(n, 60_000);
    // When the server handed each send to a worker (its ActivityTaskStarted event): the rate limit
    // acts there. (Arrival at the SMTP sink also counts how long each send took, which a busy
    // machine varies by more than a second: the first render of a template compiles it.)
    const starts: number[] = [];
    for (const r of post.body.results as Array<{ started: string[] }>) {
      const h = await stack.temporal.workflow.getHandle(r.started[0]!).fetchHistory();
      const started = h.events!.find((e) => e.activityTaskStartedEventAttributes && h.events!.some((s) => s.eventId?.toString() === e.activityTaskStartedEventAttributes!.scheduledEventId?.toString() && s.activityTaskScheduledEventAttributes?.activityType?.name === 'sendStepEmail'));
      starts.push(Number(started!.eventTime!.seconds) * 1000 + Math.floor((started!.eventTime!.nanos ?? 0) / 1e6));
    }
    starts.sort((a, b) => a - b);
    // 8 at 2 per second take well over two seconds, whatever burst the server allows first.
    expect(starts[n - 1]! - starts[0]!).toBeGreaterThanOrEqual(2000);

    // The workflow scheduled the send on the email queue (visible in its history).
    const wf = (post.body.results as Array<{ started: string[] }>)[0].started[0];
    const history = await stack.temporal.workflow.getHandle(wf).fetchHistory();
    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendStepEmail');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0].activityTaskScheduledEventAttributes!.taskQueue!.name).toBe(`${stack.taskQueue}-email`);
  });

  it('EMAIL_RATE_PER_SECOND and EMAIL_CONCURRENCY are validated', () => {
    expect(loadConfig({}).delivery).toMatchObject({ emailRatePerSecond: undefined, emailConcurrency: 5 });
    expect(loadConfig({ EMAIL_RATE_PER_SECOND: '0.5' }).delivery.emailRatePerSecond).toBe(0.5);
    expect(() => loadConfig({ EMAIL_RATE_PER_SECOND: 'fast' })).toThrow(/^EMAIL_RATE_PER_SECOND must be a number of emails per second above 0/);
    expect(() => loadConfig({ EMAIL_RATE_PER_SECOND: '0' })).toThrow(/EMAIL_RATE_PER_SECOND/);
    expect(() => loadConfig({ EMAIL_CONCURRENCY: '0' })).toThrow(/^EMAIL_CONCURRENCY must be an integer from 1 to 1000/);
  });
});
