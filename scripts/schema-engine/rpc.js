'use strict';
// JSON-RPC 2.0 over stdio, one JSON object per line, as the native schema engine speaks it: the CLI
// sends requests on stdin and reads responses on stdout; the engine may itself send requests to the
// CLI (`print`) and reads their responses on stdin.
const readline = require('node:readline');
const { toRpcError } = require('./errors');
const log = require('./log');

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;

class RpcServer {
  /**
   * @param {{ input: NodeJS.ReadableStream, write: (line: string) => void,
   *           handle: (method: string, params: any, client: { print(content: string): Promise<void> }) => Promise<any>,
   *           isMethodNotFound: (error: unknown) => boolean }} options
   */
  constructor({ input, write, handle, isMethodNotFound }) {
    this.input = input;
    this.write = write;
    this.handle = handle;
    this.isMethodNotFound = isMethodNotFound;
    this.nextId = 1;
    this.pending = new Map();
    // The wasm engine's methods take `&mut self`: requests are served one at a time, in order.
    this.queue = Promise.resolve();
    this.client = { print: (content) => this.request('print', { content }).then(() => undefined) };
  }

  /** Resolves when stdin is closed and every request received before that has been answered. */
  run() {
    return new Promise((resolve) => {
      const lines = readline.createInterface({ input: this.input, crlfDelay: Infinity });
      lines.on('line', (line) => this.onLine(line));
      lines.on('close', () => {
        this.queue.then(resolve, resolve);
        // Requests to the CLI cannot be answered any more.
        for (const [, pending] of this.pending) pending.reject(new Error('stdin closed before the CLI answered'));
        this.pending.clear();
      });
    });
  }

  send(message) {
    this.write(JSON.stringify(message));
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  onLine(line) {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this.send({ jsonrpc: '2.0', id: null, error: { code: PARSE_ERROR, message: `Parse error: ${error.message}` } });
      return;
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      this.send({ jsonrpc: '2.0', id: null, error: { code: INVALID_REQUEST, message: 'Invalid request' } });
      return;
    }
    if (typeof message.method === 'string') {
      this.enqueue(message);
      return;
    }
    // A response to one of our own requests (`print`). Answered at once, not queued: the request
    // that is waiting for it holds the queue.
    const pending = this.pending.get(message.id);
    if (!pending) {
      log.warn(`Received a response for unknown request id ${JSON.stringify(message.id)}`);
      return;
    }
    this.pending.delete(message.id);
    if (message.error) pending.reject(new Error(`The CLI answered ${JSON.stringify(message.error)}`));
    else pending.resolve(message.result);
  }

  enqueue(message) {
    const isNotification = !('id' in message);
    this.queue = this.queue.then(async () => {
      let response;
      try {
        const result = await this.handle(message.method, message.params, this.client);
        response = { jsonrpc: '2.0', id: message.id, result: result === undefined ? null : result };
      } catch (error) {
        if (this.isMethodNotFound(error)) {
          response = { jsonrpc: '2.0', id: message.id, error: { code: METHOD_NOT_FOUND, message: error.message } };
        } else {
          log.info(`Request ${message.method} failed: ${error && error.message}`);
          response = { jsonrpc: '2.0', id: message.id, error: toRpcError(error) };
        }
      }
      if (!isNotification) this.send(response);
    });
  }
}

module.exports = { RpcServer };
