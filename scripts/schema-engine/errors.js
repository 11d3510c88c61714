'use strict';
// Errors in the shapes the Prisma CLI understands. A JSON-RPC error has code 4466 and `data` is the
// engine's user-facing error: `{ is_panic, message, error_code?, meta? }` for known errors (the CLI
// prints "<error_code>\n\n<message>"), `{ is_panic, message, backtrace }` otherwise.
const { redact } = require('./log');

const RPC_ERROR_CODE = 4466;
const RPC_ERROR_MESSAGE = 'An error happened. Check the data field for details.';

/** A user-facing error with a Prisma error code (P1001, P3005, ...). */
class KnownError extends Error {
  constructor(errorCode, message, meta = {}) {
    super(message);
    this.name = 'KnownError';
    this.errorCode = errorCode;
    this.meta = meta;
  }
}

/** The wasm engine panicked: its instance must not be used again. */
class EnginePanic extends Error {
  constructor(message, backtrace) {
    super(message);
    this.name = 'EnginePanic';
    this.backtrace = backtrace;
  }
}

function hostPort(host, port) {
  return `${host}:${port}`;
}

const known = {
  authenticationFailed: (user) => new KnownError('P1000',
    `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\n` +
    'Please make sure to provide valid database credentials for the database server at the configured address.',
    { database_user: user }),
  notReachable: (host, port) => new KnownError('P1001',
    `Can't reach database server at \`${hostPort(host, port)}\`\n\nPlease make sure your database server is running at \`${hostPort(host, port)}\`.`,
    { database_host: host, database_port: String(port) }),
  databaseDoesNotExist: (name, location) => new KnownError('P1003',
    `Database \`${name}\` does not exist at \`${location}\`.`,
    { database_name: name, database_location: location }),
  databaseAlreadyExists: (name, host, port) => new KnownError('P1009',
    `Database \`${name}\` already exists on the database server at \`${hostPort(host, port)}\``,
    { database_name: name, database_host: host, database_port: Number(port) }),
  accessDenied: (user, name) => new KnownError('P1010',
    `User \`${user}\` was denied access on the database \`${name}\``,
    { database_user: user, database_name: name }),
  invalidUrl: (details) => new KnownError('P1013', `The provided database string is invalid. ${details}`, { details }),
  shadowDatabaseNotCreatable: (cause) => new KnownError('P3014',
    'Prisma Migrate could not create the shadow database. Please make sure the database user has permission to create databases. ' +
    'Read more about the shadow database (and workarounds) at https://pris.ly/d/migrate-shadow\n\n' +
    `Original error: \n${cause}`,
    {}),
};

function isWasmPanic(error) {
  return error instanceof WebAssembly.RuntimeError || (error && error.name === 'RuntimeError');
}

/** The user-facing error object for any error raised while serving a request. */
function toUserFacing(error) {
  if (error instanceof EnginePanic) {
    return { is_panic: true, message: redact(error.message), backtrace: error.backtrace ? redact(error.backtrace) : null };
  }
  if (error instanceof KnownError) {
    return { is_panic: false, message: redact(error.message), meta: error.meta, error_code: error.errorCode };
  }
  const message = redact(error && error.message !== undefined ? error.message : String(error));
  // Errors raised by the wasm engine carry their Prisma error code in `code`.
  if (error && typeof error.code === 'string' && /^P\d{4}$/.test(error.code)) {
    return { is_panic: false, message, meta: error.meta ?? {}, error_code: error.code };
  }
  return { is_panic: false, message, backtrace: null };
}

function toRpcError(error) {
  const data = toUserFacing(error);
  // For panics the CLI shows the JSON-RPC `message` itself (not `data.message`), so it carries the
  // panic's reason.
  return { code: RPC_ERROR_CODE, message: data.is_panic ? data.message : RPC_ERROR_MESSAGE, data };
}

module.exports = { KnownError, EnginePanic, known, isWasmPanic, toUserFacing, toRpcError, RPC_ERROR_CODE };
