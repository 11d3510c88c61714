// API keys: sent as `Authorization: Bearer <key>`, stored only as SHA-256 hashes, each with scopes.
//   ingest: PUT customers, POST events
//   ops:    reads of runs and enrollments, erasure, the dashboard and metrics
// 401 without a (valid) key, 403 with a key that lacks the route's scope.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../activities/db/client';

export const SCOPES = ['ingest', 'ops'] as const;
export type Scope = (typeof SCOPES)[number];

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates a key; the plain key is returned once and never stored. */
export async function createApiKey(db: Db, name: string, scopes: Scope[]): Promise<{ id: string; key: string }> {
  const key = `oak_${randomBytes(24).toString('base64url')}`;
  const row = await db.apiKey.create({ data: { name, keyHash: hashKey(key), scopes: scopes.join(',') } });
  return { id: row.id, key };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const r = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  return r.count > 0;
}

export interface AuthContext {
  keyId: string;
  scopes: Set<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
  interface FastifyContextConfig {
    /** The scope a route needs (a list: any one of them); routes without one are public. */
    scope?: Scope | Scope[];
  }
}

/** Most distinct keys one lookup asks for; more waiting keys start another lookup. */
const MAX_KEYS_PER_LOOKUP = 100;

interface Waiter {
  resolve(ctx: AuthContext | null): void;
  reject(err: unknown): void;
}

/**
 * Checks every request's key against the database: a revocation (`outreach apikey revoke`, from any
 * process) holds from the very next request on every API process, which no per-process cache could
 * promise. To keep that cheap under load, the keys of requests that arrive together share one query:
 * a lookup collects keys until the end of the current event-loop turn and only then reads, so it
 * always starts after every request it answers arrived, and sees every revocation committed before.
 */
export function createAuthenticator(db: Db) {
  let pending: Map<string, Waiter[]> | null = null;

  async function read(batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const rows = await db.apiKey.findMany({ where: { keyHash: { in: [...batch.keys()] } }, select: { id: true, keyHash: true, scopes: true, revokedAt: true } });
      const byHash = new Map(rows.map((r) => [r.keyHash, r]));
      for (const [h, waiters] of batch) {
        const row = byHash.get(h);
        for (const w of waiters) w.resolve(row && !row.revokedAt ? { keyId: row.id, scopes: new Set(row.scopes.split(',').filter(Boolean)) } : null);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }

  function lookup(key: string): Promise<AuthContext | null> {
    const h = hashKey(key);
    return new Promise((resolve, reject) => {
      if (pending && !pending.has(h) && pending.size >= MAX_KEYS_PER_LOOKUP) {
        void read(pending);
        pending = null;
      }
      if (!pending) {
        const batch = new Map<string, Waiter[]>();
        pending = batch;
        setImmediate(() => {
          if (pending !== batch) return; // already read: it filled up
          pending = null;
          void read(batch);
        });
      }
      const waiters = pending.get(h);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(h, [{ resolve, reject }]);
    });
  }

  return async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const scope = req.routeOptions.config?.scope;
    if (!scope) return;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing API key: send Authorization: Bearer <key>' });
    }
    const ctx = await lookup(m[1]);
    if (!ctx) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'invalid or revoked API key' });
    const needed = Array.isArray(scope) ? scope : [scope];
    if (!needed.some((x) => ctx.scopes.has(x))) return reply.code(403).send({ error: `this API key lacks the ${needed.map((x) => `"${x}"`).join(' or ')} scope` });
    req.auth = ctx;
  };
}
