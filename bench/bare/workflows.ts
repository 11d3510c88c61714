// The yardstick for bench/e2e.ts: a bare Temporal workflow that calls one activity doing nothing.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function bareWorkflow(): Promise<void> {
  await noop();
}
