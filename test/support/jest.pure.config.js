// For suites that need no server (pure domain code): the main config without the global setup that
// starts Temporal and PostgreSQL. `npx jest -c test/support/jest.pure.config.js test/calendar`
const base = require('../../jest.config.js');
const { globalSetup, globalTeardown, ...rest } = base;
module.exports = { ...rest, rootDir: require('node:path').resolve(__dirname, '../..'), reporters: ['default'] };
