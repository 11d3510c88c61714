'use strict';
// Entry point of the schema engine stand-in: the command line of Prisma's native `schema-engine`
// binary, served by the wasm engine. See docs/prisma-offline.md.
const log = require('./log');
const { toUserFacing, KnownError } = require('./errors');

const USAGE = `schema-engine (stand-in built on @prisma/schema-engine-wasm)

USAGE:
    prisma-schema-engine [OPTIONS] [SUBCOMMAND]

With no subcommand, serves JSON-RPC 2.0 on stdin/stdout (one JSON object per line).

OPTIONS:
    -d, --datamodels <FILE>...              Prisma schema files (repeatable)
        --datasource <JSON>                 {"url": "...", "shadowDatabaseUrl": "..."}
        --enabled-preview-features <LIST>   Accepted for compatibility
        --extension-types <JSON>            Accepted for compatibility
    -h, --help                              Prints help information
    -V, --version                           Prints version information

SUBCOMMANDS:
    cli can-connect-to-database | create-database | drop-database
`;

const CLI_COMMANDS = new Set(['can-connect-to-database', 'create-database', 'drop-database']);

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, help: false, version: false, cli: undefined };
  const valueOf = (i, name) => {
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const take = () => {
      if (inline !== undefined) return inline;
      const v = valueOf(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '-d':
      case '--datamodels':
        args.datamodels.push(take());
        // structopt also accepts several values after one flag.
        while (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-') && argv[i + 1] !== 'cli') {
          args.datamodels.push(argv[++i]);
        }
        break;
      case '--datasource':
        args.datasource = take();
        break;
      case '--enabled-preview-features':
      case '--extension-types':
        take();
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '-V':
      case '--version':
        args.version = true;
        break;
      case 'cli': {
        const command = argv[i + 1];
        if (!CLI_COMMANDS.has(command)) {
          throw new Error(`cli: expected one of ${[...CLI_COMMANDS].join(', ')}, got ${command === undefined ? 'nothing' : `\`${command}\``}`);
        }
        args.cli = command;
        i++;
        break;
      }
      default:
        throw new Error(`Found argument '${raw}' which wasn't expected`);
    }
  }
  return args;
}

/** Keeps stdout for JSON-RPC only and stderr for JSON log lines only. */
function installOutputGuards() {
  const toLog = (level) => (...parts) => log[level](parts.map((p) => (typeof p === 'string' ? p : require('node:util').inspect(p))).join(' '));
  console.log = toLog('info');
  console.info = toLog('info');
  console.debug = toLog('debug');
  console.warn = toLog('warn');
  console.error = toLog('warn');
  process.emitWarning = (warning) => log.warn(`Node.js warning: ${warning && warning.message ? warning.message : warning}`);
}

function writeStdoutLine(line) {
  process.stdout.write(line + '\n');
}

function flushStdout() {
  return new Promise((resolve) => {
    if (process.stdout.writableLength === 0) resolve();
    else process.stdout.once('drain', resolve);
  });
}

async function engineVersion() {
  const { loadSchemaEngineWasm } = require('./wasm');
  return (await loadSchemaEngineWasm()).version();
}

/** The native engine's `log_error_and_exit`: one ERROR line the CLI can read, then exit code 1. */
function logErrorAndExit(error) {
  const data = toUserFacing(error);
  log.error(data.message, { is_panic: false, error_code: data.error_code || '' });
  process.exit(1);
}

async function runCli(args) {
  const { parseDatasourceArg, providerOfUrl } = require('./datasource');
  log.info('Starting schema engine CLI', { git_hash: await engineVersion() });
  try {
    const { url } = parseDatasourceArg(args.datasource);
    if (!url) {
      throw new KnownError('P1012', 'The datasource URL is missing: pass --datasource \'{"url": "..."}\'.');
    }
    const mod = providerOfUrl(url) === 'sqlite' ? require('./sqlite') : require('./postgres');
    const cwd = process.cwd();
    let message;
    if (args.cli === 'can-connect-to-database') {
      await mod.canConnect(url, cwd);
      message = 'Connection successful';
    } else if (args.cli === 'create-database') {
      const name = await mod.createDatabase(url, cwd);
      message = `Database '${name}' was successfully created.`;
    } else {
      await mod.dropDatabase(url, cwd);
      message = 'The database was successfully dropped.';
    }
    log.info(message);
    process.exit(0);
  } catch (error) {
    logErrorAndExit(error);
  }
}

async function runServer(args) {
  const { parseDatasourceArg } = require('./datasource');
  const { EngineHost, MethodNotFound } = require('./engine');
  const { RpcServer } = require('./rpc');

  let host;
  try {
    host = new EngineHost({ datamodels: args.datamodels, datasource: parseDatasourceArg(args.datasource), cwd: process.cwd() });
  } catch (error) {
    logErrorAndExit(error);
  }
  log.info('Starting schema engine RPC server', { git_hash: await engineVersion() });

  let shuttingDown;
  const shutdown = (reason) => {
    if (!shuttingDown) {
      shuttingDown = (async () => {
        log.info(`Shutting down (${reason})`);
        // Like the native engine's graceful shutdown: a bounded wait for connections to close and
        // temporary shadow databases to be dropped.
        const deadline = new Promise((resolve) => setTimeout(resolve, 4000).unref());
        await Promise.race([host.dispose().catch((error) => log.warn(`Cleanup failed: ${error.message}`)), deadline]);
        await flushStdout();
        process.exit(host.poisoned ? 101 : 0);
      })();
    }
    return shuttingDown;
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.stdout.on('error', () => shutdown('stdout closed'));

  const server = new RpcServer({
    input: process.stdin,
    write: writeStdoutLine,
    handle: (method, params, client) => host.handle(method, params, client),
    isMethodNotFound: (error) => error instanceof MethodNotFound,
  });
  process.on('uncaughtException', (error) => {
    log.error(`Unexpected error in the schema engine stand-in: ${error && error.stack ? error.stack : error}`, { is_panic: true });
    shutdown('unexpected error').finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (error) => {
    log.error(`Unhandled rejection in the schema engine stand-in: ${error && error.stack ? error.stack : error}`, { is_panic: true });
  });
  await server.run();
  await shutdown('stdin closed');
}

async function main(argv) {
  installOutputGuards();
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    log.error(error.message, { is_panic: false, error_code: '' });
    process.exit(1);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${await engineVersion()}\n`);
    return;
  }
  if (args.cli) return runCli(args);
  return runServer(args);
}

module.exports = { main, parseArgs };
