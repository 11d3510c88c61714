// DKIM signing with DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH: the signature arrives at
// the SMTP sink and verifies against the public key (relaxed/relaxed, rsa-sha256, RFC 6376).
import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../support/stack';
import { ConfigError, loadConfig } from '../../domain/config';
import { createTransport } from '../../activities/mail/transport';
import { sendEmail } from '../../activities/send/send-email';
import { sendDeps } from './support';

/** Verifies the DKIM-Signature of a raw message (relaxed/relaxed only, enough for our signer). */
function verifyDkim(raw: string, publicKey: KeyObject): { valid: boolean; bodyHashMatches: boolean; tags: Record<string, string> } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split + 2);
  const body = raw.slice(split + 4);
  const fields = head.split(/\r\n(?![ \t])/).filter(Boolean).map((f) => ({ name: f.slice(0, f.indexOf(':')), value: f.slice(f.indexOf(':') + 1) }));
  const relaxedValue = (v: string) => v.replace(/\r\n(?=[ \t])/g, '').replace(/[ \t]+/g, ' ').trim();
  const relaxedHeader = (f: { name: string; value: string }) => `${f.name.trim().toLowerCase()}:${relaxedValue(f.value)}`;

  const sig = fields.find((f) => f.name.toLowerCase() === 'dkim-signature');
  if (!sig) throw new Error('no DKIM-Signature header');
  const tags = Object.fromEntries(
    relaxedValue(sig.value).split(';').map((t) => t.trim()).filter(Boolean).map((t) => [t.slice(0, t.indexOf('=')).trim(), t.slice(t.indexOf('=') + 1).replace(/\s+/g, '')]),
  );
  expect(tags.c).toBe('relaxed/relaxed');

  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const canonicalBody = lines.length ? lines.join('\r\n') + '\r\n' : '';
  const bodyHashMatches = createHash('sha256').update(canonicalBody).digest('base64') === tags.bh;

  const pool = [...fields];
  const signed: string[] = [];
  for (const name of tags.h.split(':')) {
    const i = pool.map((f) => f.name.toLowerCase()).lastIndexOf(name.toLowerCase());
    if (i < 0) continue; // a listed header that is absent signs as empty (over-signing)
    signed.push(relaxedHeader(pool[i]) + '\r\n');
    pool.splice(i, 1);
  }
  const unsignedSig = { name: sig.name, value: sig.value.replace(/(^|;)(\s*)b=[^;]*/, '$1$2b=') };
  const data = signed.join('') + relaxedHeader(unsignedSig);
  const valid = verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b, 'base64'));
  return { valid, bodyHashMatches, tags };
}

describe('DKIM', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-dkim-'));
  const keyFile = path.join(dir, 'dkim.pem');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      worker: false,
      env: { DKIM_DOMAIN: 'outreach.test', DKIM_SELECTOR: 'mail2026', DKIM_PRIVATE_KEY_PATH: keyFile, MAIL_FROM: 'Acme <hello@outreach.test>' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs every email; the signature verifies with the public key', async () => {
    await stack.db.customer.create({ data: { id: 'd1', email: 'dora@example.com', givenName: 'Dora', locale: 'de' } });
    const r = await sendEmail(sendDeps(stack), {
      workflowId: 'wf-dkim', sequenceId: 'dkim', stepId: 'welcome', iteration: 0, customerId: 'd1', template: 'onboarding-welcome', category: 'transactional',
    });
    expect(r.status).toBe('sent');
    const [msg] = await stack.sink.waitFor(1, 10_000);
    expect(msg.raw).toMatch(/^DKIM-Signature: /m);
    const { valid, bodyHashMatches, tags } = verifyDkim(msg.raw, publicKey);
    expect(tags).toMatchObject({ v: '1', a: 'rsa-sha256', d: 'outreach.test', s: 'mail2026' });
    expect(tags.h.toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    expect(bodyHashMatches).toBe(true);
    expect(valid).toBe(true);

    // Tampering with a signed header breaks it (the check above is not vacuous).
    const tampered = msg.raw.replace(/^Subject: .*$/m, 'Subject: something else');
    expect(verifyDkim(tampered, publicKey).valid).toBe(false);
  });

  it('DKIM settings come as a set of three, and a bad key file is a one-line error', () => {
    expect(() => loadConfig({ DKIM_DOMAIN: 'outreach.test' })).toThrow(ConfigError);
    expect(() => loadConfig({ DKIM_DOMAIN: 'outreach.test' })).toThrow(/set DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH too/);
    const missing = loadConfig({ DKIM_DOMAIN: 'outreach.test', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_PATH: path.join(dir, 'nope.pem') });
    expect(() => createTransport(missing.smtp)).toThrow(/DKIM_PRIVATE_KEY_PATH=.*nope\.pem cannot be read/);
    fs.writeFileSync(path.join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const pub = loadConfig({ DKIM_DOMAIN: 'outreach.test', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_PATH: path.join(dir, 'public.pem') });
    expect(() => createTransport(pub.smtp)).toThrow(/holds no PEM private key/);
    expect(loadConfig({}).smtp.dkim).toBeUndefined();
  });
});
