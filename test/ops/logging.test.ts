// Structured logs: JSON lines with workflow and run ids, activity starts and failures, API requests
// without bodies or query strings, and no email addresses anywhere.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger, PinoTemporalLogger, scrubEmails } from '../../worker/logging';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ logLevel: 'debug' }, { destination: stream }) };
}

describe('logs', () => {
  it('masks email addresses in messages and fields and drops address fields', () => {
    const { lines, logger } = capture();
    logger.info({ email: 'anna@example.com', customer: { email: 'x@y.org', locale: 'de' }, note: 'bounce from bob@example.org: 550' }, 'sending to %s', 'carl@example.net');
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/@example|x@y\.org/);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'sending to [email]', note: 'bounce from [email]: 550', customer: { locale: 'de' } });
    expect(lines[0]).not.toHaveProperty('email');
    expect(scrubEmails(new Error('no mailbox a.b@c.de'))).toEqual({ type: 'Error', message: 'no mailbox [email]' });
  });

  it('maps the SDK logger: activity starts at info, failures as { type, message }, runId, no task token', () => {
    const { lines, logger } = capture();
    const t = new PinoTemporalLogger(logger);
    t.debug('Activity started', { workflowId: 'seq-a-b-c', workflowRunId: 'r1', activityType: 'sendStepEmail', taskToken: 'AAAA', sdkComponent: 'activity' });
    t.warn('Activity failed', { workflowId: 'seq-a-b-c', workflowRunId: 'r1', activityType: 'sendStepEmail', error: ApplicationFailure.nonRetryable('no template for ann@example.com', 'TemplateError') });
    t.debug('Activity completed', { workflowId: 'seq-a-b-c' });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'Activity started', workflowId: 'seq-a-b-c', runId: 'r1', activityType: 'sendStepEmail' });
    expect(lines[0]).not.toHaveProperty('taskToken');
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'Activity failed', error: { type: 'ApplicationFailure', message: 'no template for [email]' } });
    expect(lines[2]).toMatchObject({ level: 'debug' });
  });

  it('is silent under jest unless LOG_LEVEL is set', () => {
    expect(process.env.NODE_ENV).toBe('test');
    expect(createLogger({ logLevel: 'info' }).level).toBe(process.env.LOG_LEVEL ? 'info' : 'silent');
  });

  it('forwards a real worker\'s SDK logs and the API\'s request logs to pino as JSON lines', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'support', 'log-child.ts')], {
        env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'debug' },
        timeout: 90_000,
        maxBuffer: 64 * 1024 * 1024,
      }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut })));
    });
    const workflowId = /WORKFLOW (\S+)/.exec(stderr)?.[1];
    expect(workflowId).toBeTruthy();
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stdout).not.toMatch(/leak\.me|@example\.com/);
    const started = lines.find((l) => l.msg === 'Activity started' && l.workflowId === workflowId && l.activityType === 'sendStepEmail');
    expect(started).toMatchObject({ level: 'info', component: 'temporal', runId: expect.any(String), taskQueue: expect.stringMatching(/^test-/) });
    const failed = lines.find((l) => l.msg === 'Activity failed' && l.workflowId === workflowId);
    expect(failed).toMatchObject({ level: 'warn', activityType: 'sendStepEmail', runId: started!.runId, error: { message: expect.stringMatching(/no-such-template/) } });
    expect(lines.find((l) => l.msg === 'Workflow failed' && l.workflowId === workflowId)).toMatchObject({ level: 'warn', runId: started!.runId });

    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.find((l) => l.route === '/v1/customers/:id')).toMatchObject({ level: 'info', component: 'api', method: 'PUT', status: 200, path: '/v1/customers/log-1' });
    const login = requests.find((l) => l.route === '/dashboard');
    expect(login).toMatchObject({ status: 303, path: '/dashboard' });
    expect(JSON.stringify(requests)).not.toMatch(/key=|oak_|givenName|Leak/);
    expect(requests.find((l) => l.route === '/v1/ops/overview')).toMatchObject({ status: 401, level: 'info' });
  });
});
