// The runs of a workflow that continued as new, followed back from its current run through each
// run's `continuedExecutionRunId`.
import type { Client, WorkflowHandle } from '@temporalio/client';

export interface ChainRun {
  runId: string;
  /** Events in the run's history. */
  events: number;
}

/** Every run of the workflow's chain, newest first. */
export async function runChain(client: Pick<Client, 'workflow'>, workflowId: string): Promise<ChainRun[]> {
  const runs: ChainRun[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.push({ runId, events: events.length });
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}
