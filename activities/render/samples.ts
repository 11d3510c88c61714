// Sample data for previews, lint renders and tests: `<template>/sample.json` holds the links and data
// ({ "links": {…}, "data": {…}, "customer": {…optional overrides} }); `_shared/sample-customers.json`
// holds one plausible customer per locale, so each preview greets someone the way that culture would.
import fs from 'node:fs';
import path from 'node:path';
import { localeChain } from './locale';
import type { RenderCustomer, RenderInput } from './renderer';

interface SampleFile {
  customer?: Partial<RenderCustomer>;
  links?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export function sampleCustomers(templatesDir: string): Record<string, Partial<RenderCustomer>> {
  const file = path.join(templatesDir, '_shared', 'sample-customers.json');
  if (!fs.existsSync(file)) return {};
  return readJson(file) as Record<string, Partial<RenderCustomer>>;
}

/** The sample customer for `locale`: the closest locale in sample-customers.json, or a neutral one. */
export function sampleCustomer(templatesDir: string, locale: string, defaultLocale = 'en'): RenderCustomer {
  const all = sampleCustomers(templatesDir);
  const match = localeChain(locale, new Set(Object.keys(all)), defaultLocale)[0];
  return { id: 'sample-customer', email: 'customer@example.com', givenName: null, familyName: null, ...(match ? all[match] : {}), locale };
}

/** A complete RenderInput for `template` in `locale` built from the sample files. */
export function sampleInput(templatesDir: string, template: string, locale: string, defaultLocale = 'en'): RenderInput {
  const file = path.join(templatesDir, template, 'sample.json');
  if (!fs.existsSync(file)) throw new Error(`${template} has no sample.json`);
  const sample = readJson(file) as SampleFile;
  const links = { ...(sample.links ?? {}) } as RenderInput['links'];
  return {
    template,
    customer: { ...sampleCustomer(templatesDir, locale, defaultLocale), ...(sample.customer ?? {}), locale },
    links,
    data: { ...(sample.data ?? {}) },
  };
}
