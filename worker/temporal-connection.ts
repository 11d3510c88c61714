// Connections to Temporal for clients and workers, from config: a local dev server by default, or a
// production cluster with TLS (mTLS certificates or a CA) or an API key (Temporal Cloud).
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
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

export async function connectClient(t: TemporalConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: t.address, tls: tlsOptions(t), apiKey: t.apiKey, connectTimeout: '10s' });
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
