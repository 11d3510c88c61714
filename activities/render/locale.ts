// Locale tags, fallback chains and writing direction. Everything here is memoized: the same handful of
// customer locales is resolved for every email.

/** Returns the canonical BCP 47 form of `tag` ("pt_br" → "pt-BR"), or null when it is not a valid tag. */
export function canonicalLocale(tag: string | null | undefined): string | null {
  if (!tag) return null;
  const cached = canonicalCache.get(tag);
  if (cached !== undefined) return cached;
  let result: string | null;
  try {
    result = Intl.getCanonicalLocales(tag.trim().replace(/_/g, '-'))[0] ?? null;
  } catch {
    result = null;
  }
  canonicalCache.set(tag, result);
  return result;
}
const canonicalCache = new Map<string, string | null>();

/** The language subtag: "pt-BR" → "pt". */
export function languageOf(tag: string): string {
  const i = tag.indexOf('-');
  return (i < 0 ? tag : tag.slice(0, i)).toLowerCase();
}

/**
 * The locales to try, most specific first, restricted to `available`:
 *   1. the requested tag and its truncations (zh-Hant-TW → zh-Hant → zh),
 *   2. other available locales of the same language (pt-PT → pt-BR): a sibling dialect reads better
 *      than the default language,
 *   3. the default locale.
 * Keys are looked up along this chain one by one, so a partial catalog falls back per key.
 */
export function localeChain(requested: string | null | undefined, available: ReadonlySet<string>, defaultLocale: string): string[] {
  const chain: string[] = [];
  const add = (tag: string) => {
    if (available.has(tag) && !chain.includes(tag)) chain.push(tag);
  };
  const canonical = canonicalLocale(requested);
  if (canonical) {
    const parts = canonical.split('-');
    for (let n = parts.length; n >= 1; n--) add(parts.slice(0, n).join('-'));
    const lang = languageOf(canonical);
    [...available].filter((tag) => languageOf(tag) === lang).sort().forEach(add);
  }
  add(defaultLocale);
  return chain;
}

// Scripts written right to left. Hebrew only matters once a catalog exists; the rule is by script so
// Persian, Urdu or Yiddish catalogs would also just work.
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr']);
const directionCache = new Map<string, 'ltr' | 'rtl'>();

export function textDirection(tag: string): 'ltr' | 'rtl' {
  let dir = directionCache.get(tag);
  if (!dir) {
    let script: string | undefined;
    try {
      script = new Intl.Locale(tag).maximize().script;
    } catch {
      script = undefined;
    }
    dir = script && RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
    directionCache.set(tag, dir);
  }
  return dir;
}
