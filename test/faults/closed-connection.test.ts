// Closing a Temporal client connection while one of its calls waits to be retried must end that call,
// not crash the process. The SDK's retry interceptor retries UNAVAILABLE on a timer; a timer that
// fires after `connection.close()` used to throw "Channel has been shut down" from the timer, an
// uncaught exception: the API process died on shutdown, and in jest one suite's teardown failed
// another suite ("Test suite failed to run"). Runs in a child process, against the real dev server
// behind a TCP proxy that is cut.
import { execFile } from 'node:child_process';
import path from 'node:path';

it('a call waiting to be retried ends with an error when the connection closes, and nothing throws later', async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'support', 'retry-after-close.ts'), address], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect({ code, stderr: stderr.includes('Channel has been shut down') ? 'Channel has been shut down' : '' }).toEqual({ code: 0, stderr: '' });
  expect(lines[0]!.outcome).toMatch(/^rejected \(code 1\): .*closed/);
  expect(lines[1]).toEqual({ survived: true });
}, 90_000);
