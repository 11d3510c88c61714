// `outreach sequence migrate` against the real stack: running enrollments move to a new version
// only when asked, continuing at the mapped step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { startStack, type Stack } from '../support/stack';
import { main } from '../../client/cli/main';
import { stateQuery } from '../../workflows/sequence/messages';
import type { SequenceDefinition } from '../../domain/sequence/types';

const v1: SequenceDefinition = {
  id: 'migratable', version: 1, trigger: { event: 'signup' }, entry: { mode: 'oncePerCustomer' },
  steps: [
    { id: 'hold', type: 'waitForEvent', event: 'go', timeout: { days: 30 }, onEvent: 'old-send', onTimeout: 'old-send' },
    { id: 'old-send', type: 'send', template: 'onboarding-tips-1', category: 'transactional', at: 'now' },
  ],
};
const v2 = {
  ...v1, version: 2,
  steps: [
    { id: 'hold', type: 'waitForEvent', event: 'go', timeout: { days: 30 }, onEvent: 'new-send', onTimeout: 'new-send' },
    { id: 'new-send', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now' },
  ],
};

async function capture(fn: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  try {
    const code = await fn();
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('outreach sequence migrate', () => {
  let stack: Stack;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-mig-'));
  const v2File = path.join(dir, 'migratable.yaml');
  const saved = { ...process.env };
  beforeAll(async () => {
    stack = await startStack({ sequences: [v1] });
    fs.writeFileSync(v2File, YAML.stringify(v2));
    Object.assign(process.env, { DATABASE_URL: stack.config.database.url, TEMPORAL_ADDRESS: stack.config.temporal.address });
  });
  afterAll(async () => {
    process.env = saved;
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => capture(() => main(['sequence', 'migrate', ...args]));

  it('rejects bad flags and maps to missing steps with exit 2, naming the flag', async () => {
    const noMap = await cli(v2File, '--map', 'old-send', '--yes');
    expect(noMap.code).toBe(2);
    expect(noMap.stderr).toMatch(/--map: "old-send" is not old-step=new-step/);
    const missing = await cli(v2File, '--map', 'old-send=nowhere', '--yes');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--map: old-send=nowhere points at steps that version 2 of migratable does not have/);
    const version = await cli(v2File, '--from-version', 'one');
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/--from-version must be a positive integer/);
  });

  it('keeps the old version by default and moves running enrollments when asked', async () => {
    await stack.call('PUT', '/v1/customers/m1', { email: 'm1@example.com' });
    const started = await stack.call('POST', '/v1/events', { id: 'm1-signup', customerId: 'm1', name: 'signup', occurredAt: new Date().toISOString() });
    const workflowId = started.body.started[0];
    const handle = stack.temporal.workflow.getHandle(workflowId);
    await waitUntil(async () => (await handle.query(stateQuery)).currentStep === 'hold');

    const dry = await cli(v2File, '--map', 'old-send=new-send', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/1 running enrollment\(s\) of migratable to move to version 2 with old-send->new-send/);

    const run = await cli(v2File, '--map', 'old-send=new-send', '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/migration requested for 1 enrollment/);

    await stack.call('POST', '/v1/events', { id: 'm1-go', customerId: 'm1', name: 'go', occurredAt: new Date().toISOString() });
    const result = await handle.result();
    expect(result.sequenceVersion).toBe(2);
    expect(result.stepsDone.map((s: { type: string; stepId: string }) => `${s.type}:${s.stepId}`)).toEqual(['waitForEvent:hold', 'migration:old-send', 'send:new-send']);
    const [msg] = await stack.sink.waitFor(1);
    expect(msg.raw).toMatch(/X-Outreach-Template: onboarding-tips-2/);
  });

  it('refuses, naming the step, to move enrollments waiting at a step the new version lacks', async () => {
    // Version 3 renames the waiting step: enrollments at "hold" need a mapping.
    const v3 = {
      ...v1, version: 3,
      steps: [
        { id: 'ready', type: 'waitForEvent', event: 'go', timeout: { days: 30 }, onEvent: 'new-send', onTimeout: 'new-send' },
        { id: 'new-send', type: 'send', template: 'onboarding-tips-2', category: 'transactional', at: 'now' },
      ],
    };
    const v3File = path.join(dir, 'migratable-v3.yaml');
    fs.writeFileSync(v3File, YAML.stringify(v3));
    await stack.call('PUT', '/v1/customers/m2', { email: 'm2@example.com' });
    const started = await stack.call('POST', '/v1/events', { id: 'm2-signup', customerId: 'm2', name: 'signup', occurredAt: new Date().toISOString() });
    const handle = stack.temporal.workflow.getHandle(started.body.started[0]);
    await waitUntil(async () => (await handle.query(stateQuery)).currentStep === 'hold');

    const dry = await cli(v3File, '--dry-run');
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/hold/);
    const run = await cli(v3File, '--yes');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/hold/);
    const still = await handle.query(stateQuery);
    expect(still).toMatchObject({ sequenceVersion: 1, currentStep: 'hold' });

    // With the mapping it takes, and the command says so for each run at once.
    const mapped = await cli(v3File, '--map', 'hold=ready', '--yes');
    expect(mapped.code).toBe(0);
    expect(mapped.stdout).toMatch(/1 of 1/);
    await handle.terminate('test over');
  });
});

async function waitUntil(pred: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 100));
  }
}
