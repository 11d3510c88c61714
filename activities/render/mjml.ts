// MJML → HTML. mjml 5 only offers an async API, but the renderer is synchronous (the send activity
// calls `render()` inline) and compiles lazily, once per template/locale/content hash. So the compiler
// runs in a worker thread and the caller blocks on a shared counter until the answer is posted
// (Atomics.wait + receiveMessageOnPort): a synchronous call with the real, unmodified mjml. After the
// first compile of each template the cache answers and this path is never taken again.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export interface MjmlIssue {
  line: number;
  tagName: string;
  message: string;
}

export interface MjmlOutput {
  html: string;
  errors: MjmlIssue[];
}

/** Options shared by the precompiled and the naive (benchmark) paths so both produce the same HTML. */
export const MJML_OPTIONS = {
  validationLevel: 'soft' as const,
  keepComments: false,
  // No web-font <link>s: the layout uses a system font stack, and remote fonts leak opens.
  fonts: {},
  minify: false,
  beautify: false,
};

const TIMEOUT_MS = 30_000;

// A failure to load mjml is answered per request (never a silent worker death the blocked caller
// would only notice at the timeout).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
let mjml2html;
let loadError;
try {
  mjml2html = require(workerData.mjmlPath);
} catch (e) {
  loadError = 'cannot load mjml: ' + String((e && e.message) || e);
}
const signal = new Int32Array(workerData.signal);
const port = workerData.port;
port.on('message', async ({ id, source, options }) => {
  let reply;
  try {
    if (loadError) throw new Error(loadError);
    const r = await mjml2html(source, options);
    reply = { id, html: r.html, errors: r.errors.map((e) => ({ line: e.line, tagName: e.tagName, message: e.message })) };
  } catch (e) {
    reply = { id, failure: String((e && e.message) || e) };
  }
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

interface Reply {
  id: number;
  html?: string;
  errors?: MjmlIssue[];
  failure?: string;
}

interface Bridge {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

let bridge: Bridge | undefined;
let nextId = 1;
let compiles = 0;

/** How many MJML compilations this process has run: the precompilation promise, made observable. */
export function mjmlCompileCount(): number {
  return compiles;
}

function start(): Bridge {
  const shared = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { mjmlPath: require.resolve('mjml'), signal: shared, port: port2 },
    transferList: [port2],
  });
  // An idle compiler must never keep a CLI, a test run or a worker process alive.
  worker.unref();
  port1.unref();
  const b: Bridge = { worker, port: port1, signal: new Int32Array(shared) };
  worker.on('error', () => {
    if (bridge === b) bridge = undefined;
  });
  worker.on('exit', () => {
    if (bridge === b) bridge = undefined;
  });
  return b;
}

/** Compiles MJML synchronously (blocking this thread while the worker runs mjml). */
export function compileMjmlSync(source: string): MjmlOutput {
  const b = (bridge ??= start());
  const id = nextId++;
  compiles++;
  b.port.postMessage({ id, source, options: MJML_OPTIONS });
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    // Read the counter before draining: a reply posted after the drain bumps it and wakes the wait.
    const seen = Atomics.load(b.signal, 0);
    let msg = receiveMessageOnPort(b.port);
    while (msg) {
      const reply = msg.message as Reply;
      if (reply.id === id) {
        if (reply.failure !== undefined) throw new Error(reply.failure);
        return { html: reply.html ?? '', errors: reply.errors ?? [] };
      }
      msg = receiveMessageOnPort(b.port);
    }
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(b.signal, 0, seen, left) === 'timed-out') {
      void b.worker.terminate();
      if (bridge === b) bridge = undefined;
      throw new Error(`MJML compiler did not answer within ${TIMEOUT_MS / 1000}s`);
    }
  }
}

/** Stops the compiler thread (it restarts on the next compile). For tests and orderly shutdown. */
export async function stopMjmlCompiler(): Promise<void> {
  const b = bridge;
  bridge = undefined;
  if (b) await b.worker.terminate();
}
