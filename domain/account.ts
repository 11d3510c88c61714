// Account-wide values every template can use: the product's name and the links of the product
// (where to start, settings, benefits page, ...). Marketers edit templates/account.json; a missing
// file falls back to neutral defaults built from PUBLIC_BASE_URL.
import fs from 'node:fs';
import { ConfigError } from './config';

export interface AccountSettings {
  data: Record<string, unknown> & { product: string };
  links: Record<string, string>;
}

export function defaultAccount(baseUrl: string): AccountSettings {
  return {
    data: { product: 'Outreach Demo' },
    links: { app: `${baseUrl}/`, start: `${baseUrl}/`, settings: `${baseUrl}/`, benefits: `${baseUrl}/` },
  };
}

export function loadAccount(file: string, baseUrl: string): AccountSettings {
  const fallback = defaultAccount(baseUrl);
  if (!fs.existsSync(file)) return fallback;
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const d = doc as Partial<AccountSettings> | null;
  if (!d || typeof d !== 'object' || (d.data !== undefined && typeof d.data !== 'object') || (d.links !== undefined && typeof d.links !== 'object')) {
    throw new ConfigError(`${file} must be an object with "data" (values such as "product") and "links" (name -> URL)`);
  }
  for (const [name, url] of Object.entries(d.links ?? {})) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new ConfigError(`${file}: links.${name} must be an http(s) URL`);
  }
  if (d.data?.product !== undefined && (typeof d.data.product !== 'string' || !d.data.product.trim())) {
    throw new ConfigError(`${file}: data.product must be a non-empty string (the product name used in emails)`);
  }
  return { data: { ...fallback.data, ...(d.data ?? {}) } as AccountSettings['data'], links: { ...fallback.links, ...(d.links ?? {}) } };
}
