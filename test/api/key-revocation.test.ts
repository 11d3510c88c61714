// Revoking an API key takes effect at once on every API process: two API instances, each with its own
// database client, share one database; the key is revoked by `outreach apikey revoke` (the CLI's
// main(), which opens a client of its own), and the very next request on each instance is refused,
// writing nothing.
import type { FastifyInstance } from 'fastify';
import { startStack, http, type Stack } from '../support/stack';
import { createDb, type Db } from '../../activities/db/client';
import { buildApi } from '../../client/api/server';
import { createApiKey } from '../../client/api/auth';
import { SequenceRegistry } from '../../domain/sequence/registry';
import { main } from '../../client/cli/main';

/** `outreach <argv>` against `databaseUrl`, with stderr captured. */
async function outreach(argv: string[], databaseUrl: string): Promise<{ code: number; stderr: string }> {
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  let stderr = '';
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stderr };
  } finally {
    err.mockRestore();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

describe.each(['sqlite', 'postgresql'] as const)('API key revocation on %s', (provider) => {
  let stack: Stack;
  let secondDb: Db;
  let second: FastifyInstance;
  let bases: string[];

  beforeAll(async () => {
    stack = await startStack({ provider, worker: false });
    // A second API instance as another process would run it: its own client and connections.
    secondDb = createDb(stack.config.database);
    second = buildApi({ config: stack.config, db: secondDb, temporal: stack.temporal, registry: new SequenceRegistry([]) });
    await second.listen({ port: 0, host: '127.0.0.1' });
    bases = [stack.baseUrl, `http://127.0.0.1:${(second.server.address() as { port: number }).port}`];
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.$disconnect();
    await stack?.stop();
  });

  const put = (base: string, key: string, id: string, email: string) =>
    http(base, 'PUT', `/v1/customers/${id}`, { email }, { authorization: `Bearer ${key}` });

  it('refuses a revoked key with 401 on the very next request on each instance, and nothing is written', async () => {
    const { id, key } = await createApiKey(stack.db, 'to-revoke', ['ingest', 'ops']);
    // Both instances accept the key (and may remember it).
    for (const [i, base] of bases.entries()) {
      expect((await put(base, key, `rev-${i}`, `before-${i}@example.com`)).status).toBe(200);
      expect((await put(base, key, `rev-${i}`, `before-${i}@example.com`)).status).toBe(200);
    }

    // The operator revokes it from the command line: its own database client, the same database.
    expect(await outreach(['apikey', 'revoke', id], stack.config.database.url)).toEqual({ code: 0, stderr: `revoked ${id}\n` });

    const rowsBefore = await stack.db.customer.findMany({ orderBy: { id: 'asc' } });
    for (const [i, base] of bases.entries()) {
      const r = await put(base, key, `rev-${i}`, `after-${i}@example.com`);
      expect({ instance: i, status: r.status, error: r.body.error }).toEqual({ instance: i, status: 401, error: 'invalid or revoked API key' });
      const read = await http(base, 'GET', `/v1/customers/rev-${i}/enrollments`, undefined, { authorization: `Bearer ${key}` });
      expect({ instance: i, status: read.status }).toEqual({ instance: i, status: 401 });
    }
    expect(await stack.db.customer.findMany({ orderBy: { id: 'asc' } })).toEqual(rowsBefore);
    expect(rowsBefore.map((c) => c.email)).toEqual(['before-0@example.com', 'before-1@example.com']);

    // Other keys are untouched.
    for (const base of bases) expect((await put(base, stack.keys.ingest, 'rev-other', 'other@example.com')).status).toBe(200);
  });

  it('answers each of many concurrent requests for its own key (lookups shared by requests that arrive together)', async () => {
    const { id, key: revoked } = await createApiKey(stack.db, 'revoked-too', ['ingest']);
    expect((await outreach(['apikey', 'revoke', id], stack.config.database.url)).code).toBe(0);
    // 150 unknown keys (more than one lookup takes), the revoked key, and keys with each scope.
    const requests = [
      ...Array.from({ length: 150 }, (_, i) => ({ key: `oak_unknown-${i}`, url: '/v1/customers/burst/enrollments', expect: 401 })),
      ...Array.from({ length: 20 }, () => ({ key: revoked, url: '/v1/customers/burst/enrollments', expect: 401 })),
      ...Array.from({ length: 20 }, () => ({ key: stack.keys.ops, url: '/v1/customers/burst/enrollments', expect: 404 })),
      ...Array.from({ length: 20 }, () => ({ key: stack.keys.ingest, url: '/v1/customers/burst/enrollments', expect: 403 })),
    ].sort(() => Math.random() - 0.5);
    const got = await Promise.all(requests.map(async (r) => (await http(bases[0]!, 'GET', r.url, undefined, { authorization: `Bearer ${r.key}` })).status));
    expect(got).toEqual(requests.map((r) => r.expect));
  });
});
