#!/usr/bin/env node
// Keeps the PostgreSQL schema in step with prisma/schema.prisma (the source of truth) and generates
// both Prisma clients. Runs on `npm install` (postinstall) and after any schema change.
// `--check` only verifies that prisma/postgresql/schema.prisma is up to date (used by tests).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'prisma', 'schema.prisma');
const target = path.join(root, 'prisma', 'postgresql', 'schema.prisma');

function postgresSchema() {
  const text = fs.readFileSync(source, 'utf8');
  const out = text
    .replace(/^\/\/ Outreach data model\.[\s\S]*?never the copy\.\n/m,
      '// GENERATED from prisma/schema.prisma by scripts/prisma-generate.js: do not edit.\n')
    .replace('output       = "../generated/prisma/sqlite"', 'output       = "../../generated/prisma/postgresql"')
    .replace('provider = "sqlite"', 'provider = "postgresql"');
  if (out === text || !out.includes('"postgresql"') || !out.includes('generated/prisma/postgresql')) {
    throw new Error('prisma-generate: could not derive the PostgreSQL schema; keep the generator and datasource blocks of prisma/schema.prisma in their original form');
  }
  return out;
}

const wanted = postgresSchema();
if (process.argv.includes('--check')) {
  const have = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (have !== wanted) {
    console.error('prisma/postgresql/schema.prisma is out of date: run `npm run prisma:generate`');
    process.exit(1);
  }
  process.exit(0);
}
fs.mkdirSync(path.dirname(target), { recursive: true });
if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== wanted) fs.writeFileSync(target, wanted);

const prismaBin = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!fs.existsSync(prismaBin)) {
  console.error('prisma-generate: the prisma package is not installed yet; run npm install');
  process.exit(1);
}
for (const provider of ['sqlite', 'postgresql']) {
  execFileSync(process.execPath, [prismaBin, 'generate', '--config', path.join(root, 'prisma', `${provider}.config.ts`)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      // Without an engine path the CLI tries to download the native schema engine, which fails
      // offline; our wasm-based stand-in serves instead unless the caller chose another binary.
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || path.join(root, 'scripts', 'prisma-schema-engine'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}
