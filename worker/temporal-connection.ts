// Connections to Temporal for clients and workers, from config: a local dev server by default, or a
// production cluster with TLS (mTLS certificates or a CA) or an API key (Temporal Cloud).
import fs from 'node:fs';
import { InterceptingCall, Metadata, status as GrpcStatus, type Interceptor, type InterceptingListener } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, type TemporalConfig } from '../domain/config';

function tlsOptions(t: TemporalConfig) {
  if (!t.tls) return undefined;
  const read = (p: string | undefined, name: string) => {
    if (!p) return undefined;
    try {
      return fs.readFileSync(p);
    } catch {
      throw new ConfigError(`${name}=${p} cannot be read: fix the path`);
    }
  };
  const crt = read(t.tls.clientCertPath, 'TEMPORAL_TLS_CERT_PATH');
  const key = read(t.tls.clientKeyPath, 'TEMPORAL_TLS_KEY_PATH');
  if (!!crt !== !!key) throw new ConfigError('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  return {
    serverNameOverride: t.tls.serverName,
    serverRootCACertificate: read(t.tls.serverRootCACertificatePath, 'TEMPORAL_TLS_CA_PATH'),
    clientCertPair: crt && key ? { crt, key } : undefined,
  };
}

function unreachable(t: TemporalConfig, err: unknown): ConfigError {
  const raw = err instanceof Error ? err.message.split('\n')[0] : String(err);
  // The native client reports Rust debug structures; name the cause in words where we know it.
  const msg = /refused/i.test(raw) ? 'connection refused'
    : /dns|lookup|resolve/i.test(raw) ? 'host name not found'
    : /timed? ?out|deadline/i.test(raw) ? 'timed out'
    : /certificate|tls|handshake/i.test(raw) ? `TLS failed (${raw.slice(0, 200)})`
    : raw.slice(0, 200);
  return new ConfigError(`cannot reach Temporal at ${t.address} (TEMPORAL_ADDRESS): ${msg}. Is the server running? For local development run \`npm start\`.`);
}

/**
 * A call on a connection that has been closed: it ends at once with CANCELLED (which nothing retries)
 * instead of throwing.
 */
type NextInterceptingCall = ConstructorParameters<typeof InterceptingCall>[0];
class ClosedChannelCall implements NextInterceptingCall {
  start(_metadata: Metadata, listener: Partial<InterceptingListener>): void {
    setImmediate(() => listener.onReceiveStatus?.({ code: GrpcStatus.CANCELLED, details: 'the Temporal connection was closed', metadata: new Metadata() }));
  }
  cancelWithStatus(): void {}
  getPeer(): string {
    return '';
  }
  sendMessageWithContext(): void {}
  sendMessage(): void {}
  startRead(): void {}
  halfClose(): void {}
  getAuthContext() {
    return null;
  }
}

/**
 * Below the SDK's retry interceptor: a retry whose timer fires after `connection.close()` would make
 * grpc-js throw "Channel has been shut down" from that timer, an uncaught exception that kills the
 * process (the API on shutdown; in tests, whichever suite runs next). This ends such a call with
 * CANCELLED instead, so whoever awaits it gets an error and nothing throws later.
 */
const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (err instanceof Error && /Channel has been shut down/.test(err.message)) return new InterceptingCall(new ClosedChannelCall());
    throw err;
  }
};

/** Connection options for every client connection: the SDK's default retries, and the guard above. */
export function clientConnectionOptions(): Pick<ConnectionOptions, 'interceptors'> {
  return { interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), closedChannelGuard] };
}

export async function connectClient(t: TemporalConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: t.address, tls: tlsOptions(t), apiKey: t.apiKey, connectTimeout: '10s', ...clientConnectionOptions() });
    return new Client({ connection, namespace: t.namespace });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw unreachable(t, err);
  }
}

export async function connectWorker(t: TemporalConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: t.address, tls: tlsOptions(t), apiKey: t.apiKey });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw unreachable(t, err);
  }
}
