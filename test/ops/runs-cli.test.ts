// `outreach runs ...` against the real stack: runs waiting on a long wait, paused, completed, failed
// (unknown template: TemplateError) and cancelled, listed from Temporal visibility, shown with their
// send-ledger timeline, and acted on one by one and in bulk.
import { startStack, type Stack } from '../support/stack';
import fs from 'node:fs';
import { cli, cliOnTerminal, count, opsSequences, seedRuns, until, type Seeded } from './support/seed';

describe('outreach runs', () => {
  let stack: Stack;
  let runs: Seeded;
  beforeAll(async () => {
    stack = await startStack({ sequences: opsSequences });
    runs = await seedRuns(stack);
  });
  afterAll(async () => stack?.stop());

  it('lists every run with sequence, step, state and next action in local time and UTC', async () => {
    const r = await cli(stack, ['runs', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^WORKFLOW ID\s+SEQUENCE\s+STEP\s+STATE\s+NEXT \(LOCAL\)\s+NEXT \(UTC\)$/);
    expect(lines).toHaveLength(1 + 6);
    const berlin = lines.find((l) => l.startsWith(runs.waiting[0]))!;
    expect(berlin).toMatch(/ops-long\s+long-wait\s+waiting\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+0[12]:00 Europe\/Berlin\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z$/);
    expect(lines.find((l) => l.startsWith(runs.paused))).toMatch(/ops-long\s+long-wait\s+paused\s+.*America\/New_York/);
    expect(lines.find((l) => l.startsWith(runs.completed))).toMatch(/ops-once\s+hello\s+completed\s*$/);
    expect(lines.find((l) => l.startsWith(runs.failed))).toMatch(/ops-broken\s+oops\s+failed\s*$/);
    // No personal data: workflow ids and attributes carry neither customer ids nor addresses.
    expect(r.stdout).not.toMatch(/ops-berlin|example\.com|Anna/);
  });

  it('filters by state, sequence and next action time, and prints JSON', async () => {
    const failed = await cli(stack, ['runs', 'list', '--state', 'failed', '--json']);
    expect(failed.code).toBe(0);
    const list = JSON.parse(failed.stdout);
    expect(list.map((x: { workflowId: string }) => x.workflowId)).toEqual([runs.failed]);
    expect(list[0]).toMatchObject({ sequence: 'ops-broken', state: 'failed', executionStatus: 'Failed', nextActionAt: null });

    const waiting = JSON.parse((await cli(stack, ['runs', 'list', '--state', 'waiting', '--sequence', 'ops-long', '--json'])).stdout);
    expect(waiting.map((x: { workflowId: string }) => x.workflowId).sort()).toEqual([...runs.waiting, runs.toCancel].sort());
    for (const w of waiting) {
      expect(Date.parse(w.nextActionAt)).toBeGreaterThan(Date.now() + 20 * 86_400_000); // 20 business days ahead
      expect(w.nextActionLocal).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      expect(w.temporalUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${w.workflowId}`);
    }
    const soon = JSON.parse((await cli(stack, ['runs', 'list', '--next-before', new Date(Date.now() + 86_400_000).toISOString(), '--json'])).stdout);
    expect(soon).toEqual([]);
    const later = JSON.parse((await cli(stack, ['runs', 'list', '--next-before', '2100-01-01', '--json'])).stdout);
    expect(later).toHaveLength(4); // the running ones: closed runs have no next action
    const completed = JSON.parse((await cli(stack, ['runs', 'list', '--state', 'completed', '--json'])).stdout);
    expect(completed.map((x: { workflowId: string }) => x.workflowId)).toEqual([runs.completed]);
  });

  it('pages with --limit and --page-token', async () => {
    const first = await cli(stack, ['runs', 'list', '--limit', '4']);
    expect(first.stdout.trim().split('\n')).toHaveLength(5);
    const token = /--page-token (\S+)/.exec(first.stderr)?.[1];
    expect(first.stderr).toMatch(/showing 4 of 6/);
    const second = await cli(stack, ['runs', 'list', '--limit', '4', '--page-token', token!]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('exits 2 naming the flag on bad input', async () => {
    const bad: Array<[string[], RegExp]> = [
      [['runs', 'list', '--state', 'sleeping'], /--state must be one of waiting, sending, paused, failed, completed \(got "sleeping"\)/],
      [['runs', 'list', '--next-before', 'tomorrow'], /--next-before "tomorrow" is not an ISO-8601 instant/],
      [['runs', 'list', '--sequence', "x' OR 1=1"], /--sequence .* may only contain/],
      [['runs', 'list', '--limit', '0'], /--limit must be an integer/],
      [['runs', 'list', '--bogus'], /Unknown option '--bogus'/],
      [['runs', 'show'], /missing the workflow id/],
      [['runs', 'pause'], /missing the workflow id, or --sequence/],
      [['runs', 'pause', 'x', '--sequence', 'y'], /either a workflow id or --sequence/],
    ];
    const results = await Promise.all(bad.map(([args]) => cli(stack, args)));
    bad.forEach(([args, msg], i) => {
      expect({ args, code: results[i].code }).toEqual({ args, code: 2 });
      expect(results[i].stderr).toMatch(msg);
    });
  });

  it('shows a waiting run: steps done with their email, and the next action in local time and UTC', async () => {
    const r = await cli(stack, ['runs', 'show', runs.waiting[0]]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^state\s+waiting \(Running, running\) at step long-wait$/m);
    expect(r.stdout).toMatch(/^next\s+wait "long-wait" at \d{4}-\d{2}-\d{2} \d{2}:\d{2} \+0[12]:00 Europe\/Berlin {2}= {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z$/m);
    expect(r.stdout).toMatch(/^1\s+welcome\s+send\s+.*\ssent\s+sent · onboarding-welcome · de$/m);
    expect(r.stdout).toMatch(/^temporal\s+http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/seq-ops-long-/m);
    const json = JSON.parse((await cli(stack, ['runs', 'show', runs.waiting[0], '--json'])).stdout);
    expect(json.timeline[0]).toMatchObject({ stepId: 'welcome', outcome: 'sent', email: { status: 'sent', attempts: 1, templateId: 'onboarding-welcome' } });
    expect(json.next).toMatchObject({ kind: 'wait', stepId: 'long-wait', zone: 'Europe/Berlin' });
  });

  it('shows why a run failed', async () => {
    const r = await cli(stack, ['runs', 'show', runs.failed]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^state\s+failed \(Failed/m);
    expect(r.stdout).toMatch(/^failure\s+TemplateError: .*no-such-template.* \(activity sendStepEmail, 1 attempt, NonRetryableFailure\)$/m);
    const missing = await cli(stack, ['runs', 'show', 'seq-nope-nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run "seq-nope-nope"/);
  });

  it('refuses to act without a terminal and without --yes', async () => {
    const r = await cli(stack, ['runs', 'pause', runs.waiting[1]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(await count(stack, `WorkflowId = '${runs.waiting[1]}' AND OutreachState = 'paused'`)).toBe(0);
  });

  it('pauses and resumes one run, keeping the Enrollment table in step', async () => {
    const id = runs.waiting[1];
    const p = await cli(stack, ['runs', 'pause', id, '--yes']);
    expect(p).toMatchObject({ code: 0, stdout: `paused ${id}\n` });
    await until('paused in visibility', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'paused'`)) === 1);
    expect((await stack.db.enrollment.findUnique({ where: { workflowId: id } }))?.status).toBe('paused');
    const r = await cli(stack, ['runs', 'resume', id, '--yes']);
    expect(r).toMatchObject({ code: 0, stdout: `resumed ${id}\n` });
    await until('waiting again', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'waiting'`)) === 1);
    expect((await stack.db.enrollment.findUnique({ where: { workflowId: id } }))?.status).toBe('running');
  });

  it('says at once when an action does not apply to the run', async () => {
    // Resuming a run that is not paused is refused by the run itself, and the command says why.
    const id = runs.waiting[1];
    const r = await cli(stack, ['runs', 'resume', id, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not paused/);
    const p = await cli(stack, ['runs', 'pause', id, '--yes']);
    expect(p.code).toBe(0);
    const twice = await cli(stack, ['runs', 'pause', id, '--yes']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already paused/);
    expect((await cli(stack, ['runs', 'resume', id, '--yes'])).code).toBe(0);
    await until('waiting again', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'waiting'`)) === 1);
  });

  const hasScript = ['/usr/bin/script', '/bin/script'].some((p) => fs.existsSync(p));
  (hasScript ? it : it.skip)('asks for confirmation on a terminal', async () => {
    const id = runs.waiting[1];
    const no = await cliOnTerminal(stack, ['runs', 'pause', id], 'n');
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/Pause run seq-ops-long-\S+\? \[y\/N\][\s\S]*nothing done/);
    expect(await count(stack, `WorkflowId = '${id}' AND OutreachState = 'paused'`)).toBe(0);
    const yes = await cliOnTerminal(stack, ['runs', 'pause', id], 'y');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain(`paused ${id}`);
    await until('paused', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'paused'`)) === 1);
    expect((await cli(stack, ['runs', 'resume', id, '--yes'])).code).toBe(0);
    await until('waiting again', async () => (await count(stack, `WorkflowId = '${id}' AND OutreachState = 'waiting'`)) === 1);
  });

  it('pauses and resumes every running run of a sequence', async () => {
    const p = await cli(stack, ['runs', 'pause', '--sequence', 'ops-long', '--yes']);
    expect(p.code).toBe(0);
    expect(p.stdout).toBe('paused 3 of 3 runs of sequence "ops-long"\n'); // the fourth was paused already
    await until('all paused', async () => (await count(stack, `OutreachSequence = 'ops-long' AND OutreachState = 'paused' AND ExecutionStatus = 'Running'`)) === 4);
    const r = await cli(stack, ['runs', 'resume', '--sequence', 'ops-long', '--yes']);
    expect(r.stdout).toBe('resumed 4 of 4 runs of sequence "ops-long"\n');
    await until('all waiting', async () => (await count(stack, `OutreachSequence = 'ops-long' AND OutreachState = 'waiting' AND ExecutionStatus = 'Running'`)) === 4);
    // Put the seeded paused run back as it was for the suites' later checks.
    expect((await cli(stack, ['runs', 'pause', runs.paused, '--yes'])).code).toBe(0);
    const none = await cli(stack, ['runs', 'resume', '--sequence', 'ops-once', '--yes']);
    expect(none).toMatchObject({ code: 0, stderr: 'no paused runs of sequence "ops-once"\n' });
  });

  it('cancels a run gracefully: the workflow records "cancelled" in the Enrollment table', async () => {
    const r = await cli(stack, ['runs', 'cancel', runs.toCancel, '--yes', '--reason', 'customer asked by phone']);
    expect(r).toMatchObject({ code: 0, stdout: `cancelled ${runs.toCancel}\n` });
    const row = await stack.db.enrollment.findUnique({ where: { workflowId: runs.toCancel } });
    expect(row).toMatchObject({ status: 'cancelled' });
    expect(row?.endedAt).toBeInstanceOf(Date);
    const result = await stack.temporal.workflow.getHandle(runs.toCancel).result();
    expect(result).toMatchObject({ status: 'cancelled', exitReason: 'customer asked by phone' });
    const show = await cli(stack, ['runs', 'show', runs.toCancel]);
    expect(show.stdout).toMatch(/^state\s+completed \(Completed, cancelled\)/m);
    expect(show.stdout).toMatch(/^reason\s+customer asked by phone$/m);
    const again = await cli(stack, ['runs', 'cancel', runs.toCancel, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no running workflow/);
  });
});
