// Child process of closed-connection.test.ts: a client call that Temporal's gRPC retry interceptor is
// retrying (the server went away) when the client's connection is closed, as at the end of a test
// suite or when the API process shuts down. Prints the call's outcome as JSON and exits 0; an
// uncaught exception (a retry timer that fires after the close) ends the process with code 1.
import { connectClient } from '../../../worker/temporal-connection';
import { startTcpProxy } from '../../support/tcp-proxy';

async function main() {
  const proxy = await startTcpProxy(process.argv[2]!);
  const client = await connectClient({ address: proxy.address, namespace: 'default' } as Parameters<typeof connectClient>[0]);
  proxy.cut(); // the server is gone: the next call fails with UNAVAILABLE and is retried with backoff
  const outcome = client.connection.workflowService.getSystemInfo({}).then(
    () => 'answered',
    (err: { code?: number; message?: string }) => `rejected (code ${err.code}): ${err.message}`,
  );
  await new Promise((r) => setTimeout(r, 400)); // a few attempts have failed; the next one waits on a timer
  await client.connection.close();
  console.log(JSON.stringify({ outcome: await outcome }));
  await new Promise((r) => setTimeout(r, 6_000)); // longer than the retry interceptor's longest backoff
  await proxy.close();
  console.log(JSON.stringify({ survived: true }));
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
