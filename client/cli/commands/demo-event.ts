// Sends a demo customer and a signup event to a running engine (`npm start`), so a newcomer sees
// the welcome email arrive in the mail catcher.
import type { Command } from '../command';
import { parseFlags } from '../args';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, loadConfig } from '../../../domain/config';

export const demoEventCommand: Command = {
  name: 'demo-event',
  summary: 'Create a demo customer and post a signup event to the running API (see `npm start`).',
  usage: 'outreach demo-event [--api <base url>] [--locale <L>] [--email <address>]',
  async run(argv) {
    const { values } = parseFlags(argv, { api: { type: 'string' }, locale: { type: 'string' }, email: { type: 'string' } });
    const config = loadConfig();
    const base = (values.api as string | undefined) ?? `http://127.0.0.1:${config.api.port}`;
    const id = `demo-${Date.now()}`;
    const locale = (values.locale as string | undefined) ?? 'en';
    const keyFile = path.join(DATA_DIR, 'dev-api-key');
    const key = process.env.OUTREACH_API_KEY ?? (fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined);
    const call = async (method: string, url: string, body: unknown) => {
      let res: Response;
      try {
        // `Prefer: wait` makes the reply name the enrollments the event started.
        res = await fetch(base + url, { method, headers: { 'content-type': 'application/json', prefer: 'wait=10', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
      } catch {
        throw new Error(`cannot reach the API at ${base}: start the engine with \`npm start\` first`);
      }
      const json = await res.json().catch(() => ({}));
      if (res.status >= 400) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(json)}`);
      return json as Record<string, unknown>;
    };
    await call('PUT', `/v1/customers/${id}`, {
      email: (values.email as string | undefined) ?? `${id}@example.com`,
      givenName: 'Ada', familyName: 'Lovelace', locale, timeZone: 'Europe/London', country: 'GB', consent: { marketing: true },
    });
    const ev = await call('POST', '/v1/events', { id: `${id}-signup`, customerId: id, name: 'signup', occurredAt: new Date().toISOString() });
    process.stdout.write(`customer ${id} signed up; started ${JSON.stringify(ev.started)}\n`);
    process.stdout.write('The welcome email is in the mail catcher; the run is in the Temporal Web UI.\n');
    return 0;
  },
};
