'use strict';
// Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm). The package's
// entry point imports the .wasm file as an ES module, which Node only allows behind a flag, so the
// wasm-bindgen glue (`schema_engine_bg.js`) is imported on its own and the module instantiated here.
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

// The engine's panic hook reports the panic message through this global before trapping; without it
// a panic surfaces as a bare `RuntimeError: unreachable`.
class PanicRegistry {
  #message = '';
  get() {
    return this.#message;
  }
  // Called by the wasm panic hook.
  set_message(value) {
    this.#message = `RuntimeError: ${value}`;
  }
}
globalThis.PRISMA_WASM_PANIC_REGISTRY = globalThis.PRISMA_WASM_PANIC_REGISTRY || new PanicRegistry();

function packageDir() {
  // The package exports only its two JS entry points, so resolve one of them and take its folder.
  return path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
}

let loaded;

/** The wasm-bindgen module (`SchemaEngine`, `version`), instantiated once per process. */
async function loadSchemaEngineWasm() {
  if (!loaded) {
    loaded = (async () => {
      const dir = packageDir();
      const glue = await import(pathToFileURL(path.join(dir, 'schema_engine_bg.js')).href);
      const module = new WebAssembly.Module(fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm')));
      const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': glue });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      return glue;
    })();
  }
  return loaded;
}

function lastPanicMessage() {
  return globalThis.PRISMA_WASM_PANIC_REGISTRY.get();
}

module.exports = { loadSchemaEngineWasm, lastPanicMessage };
