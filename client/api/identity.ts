// The identity key: names workflows (keyed hashes of customer ids and entry keys, so no personal data
// reaches Temporal) and is never rotated. It is stored in the database (Setting "identity-key") and
// created on first use, apart from OUTREACH_SECRET, which signs links and may be rotated after a
// leak without renaming a single workflow (a rename would start once-per-customer sequences again).
//
// On a database that already has enrollments (an upgrade from a release that named workflows with
// OUTREACH_SECRET), the key is created from the signing secret in use, so existing workflow ids stay
// the same; otherwise it is 32 random bytes. Upgrade first, rotate OUTREACH_SECRET afterwards.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../activities/db/client';
import type { Config } from '../../domain/config';

export const IDENTITY_KEY_SETTING = 'identity-key';

const cache = new WeakMap<object, Promise<string>>();

/** The identity key of this database (created on first use; cached per client). */
export function identityKey(db: Db, config: Pick<Config, 'secret'>): Promise<string> {
  let p = cache.get(db);
  if (!p) {
    p = load(db, config);
    cache.set(db, p);
    p.catch(() => cache.delete(db));
  }
  return p;
}

async function load(db: Db, config: Pick<Config, 'secret'>): Promise<string> {
  const row = await db.setting.findUnique({ where: { key: IDENTITY_KEY_SETTING } });
  if (row) return row.value;
  const upgrade = (await db.enrollment.count()) > 0;
  const value = upgrade ? config.secret : randomBytes(32).toString('hex');
  try {
    await db.setting.create({ data: { key: IDENTITY_KEY_SETTING, value } });
    return value;
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    // Another process created it first: use theirs.
    return (await db.setting.findUniqueOrThrow({ where: { key: IDENTITY_KEY_SETTING } })).value;
  }
}
