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
    /** The scope a route needs; routes without one are public. */
    scope?: Scope;
  }
}

/** A cache of verified hashes, so a burst of events does not read the key table per request. */
export function createAuthenticator(db: Db, ttlMs = 10_000) {
  const cache = new Map<string, { ctx: AuthContext | null; until: number }>();
  async function lookup(key: string): Promise<AuthContext | null> {
    const h = hashKey(key);
    const hit = cache.get(h);
    if (hit && hit.until > Date.now()) return hit.ctx;
    const row = await db.apiKey.findUnique({ where: { keyHash: h } });
    const ctx = row && !row.revokedAt ? { keyId: row.id, scopes: new Set(row.scopes.split(',').filter(Boolean)) } : null;
    cache.set(h, { ctx, until: Date.now() + ttlMs });
    if (cache.size > 10_000) cache.clear();
    return ctx;
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
    if (!ctx.scopes.has(scope)) return reply.code(403).send({ error: `this API key lacks the "${scope}" scope` });
    req.auth = ctx;
  };
}
