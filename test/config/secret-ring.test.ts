// OUTREACH_SECRET as a key ring: one key or several separated by commas, the signing key first.
// Malformed values stop the engine with one line naming the variable (and the key's position),
// never the key itself.
import { ConfigError, DEV_SECRET, loadConfig, parseSecretRing } from '../../domain/config';

const A = 'a'.repeat(20) + '-first-key';
const B = 'b'.repeat(20) + '-second-key';

describe('OUTREACH_SECRET', () => {
  it('defaults to the development secret, a ring of one', () => {
    expect(loadConfig({})).toMatchObject({ secret: DEV_SECRET, secrets: [DEV_SECRET] });
    expect(loadConfig({ OUTREACH_SECRET: '' })).toMatchObject({ secret: DEV_SECRET, secrets: [DEV_SECRET] });
  });

  it('one key: the ring and the signing key are that key', () => {
    expect(loadConfig({ OUTREACH_SECRET: A })).toMatchObject({ secret: A, secrets: [A] });
  });

  it('several keys, comma-separated: the first signs (config.secret), all verify (config.secrets)', () => {
    expect(loadConfig({ OUTREACH_SECRET: `${B},${A}` })).toMatchObject({ secret: B, secrets: [B, A] });
    expect(parseSecretRing(`${A},${B},${DEV_SECRET}`)).toEqual([A, B, DEV_SECRET]);
  });

  it.each([
    ['an empty key', `${A},`, /^OUTREACH_SECRET key 2 of 2 is empty: OUTREACH_SECRET lists keys separated by commas/],
    ['two commas', `${A},,${B}`, /^OUTREACH_SECRET key 2 of 3 is empty/],
    ['a space after the comma', `${A}, ${B}`, /^OUTREACH_SECRET key 2 of 2 contains whitespace/],
    ['a trailing line break', `${A}\n`, /^OUTREACH_SECRET contains whitespace/],
    ['a control character', `${A}\u0007`, /^OUTREACH_SECRET contains a control character/],
    ['a short key', 'short-secret', /^OUTREACH_SECRET is too short \(12 characters\): use a random value of at least 16, e\.g\. openssl rand -hex 32$/],
    ['a short second key', `${A},tiny`, /^OUTREACH_SECRET key 2 of 2 is too short \(4 characters\)/],
    ['the same key twice', `${A},${B},${A}`, /^OUTREACH_SECRET lists the same key twice \(keys 1 and 3 of 3\): remove one$/],
  ])('refuses %s with one line naming the variable, never the key', (_, value, message) => {
    let err: unknown;
    try {
      loadConfig({ OUTREACH_SECRET: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    for (const key of value.split(',')) if (key.length >= 4) expect(text).not.toContain(key);
  });
});
