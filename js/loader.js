// Loads ropc.wasm once per JavaScript realm and resolves to the namespace of
// pure functions that wasm/main.go exports (see wasm/bridge).
import './wasm_exec.js'; // the Go toolchain's own runtime shim, copied by `make js`

const Go = globalThis.Go;
const wasmURL = new URL('./ropc.wasm', import.meta.url);
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' &&
  wasmURL.protocol === 'file:';

let loading;
let runtime; // { go, instance } of the loaded module, for stats()

/** Resolves to the WebAssembly core; every client shares one instance. */
export function loadCore() {
  loading ??= instantiate().catch((e) => {
    loading = undefined; // let a later call try again
    throw e;
  });
  return loading;
}

async function instantiate() {
  const go = new Go();
  // main() calls the global named by argv[1] with its namespace when ready.
  const readyName = `__ropcReady${Math.random().toString(36).slice(2)}`;
  let ready;
  const readyPromise = new Promise((resolve) => { ready = resolve; });
  globalThis[readyName] = (ns) => ready(ns);
  go.argv = ['ropc', readyName];
  try {
    const { instance } = await compile(go.importObject);
    runtime = { go, instance };
    const exited = go.run(instance).then(() => {
      throw new Error('ropc: the WebAssembly module exited before it was ready');
    });
    return await Promise.race([readyPromise, exited]);
  } finally {
    delete globalThis[readyName];
  }
}

async function compile(imports) {
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.instantiate(await readFile(wasmURL), imports);
  }
  if (typeof WebAssembly.instantiateStreaming === 'function') {
    try {
      return await WebAssembly.instantiateStreaming(fetch(wasmURL), imports);
    } catch {
      // Served without Content-Type: application/wasm, say; fall back below.
    }
  }
  const res = await fetch(wasmURL);
  if (!res.ok) throw new Error(`ropc: could not load ${wasmURL.href}: HTTP ${res.status}`);
  return WebAssembly.instantiate(await res.arrayBuffer(), imports);
}

/**
 * Internal figures for the leak benchmark (scripts/bench-js.sh), not part of
 * the public API: WebAssembly memory size, JS values Go holds references to,
 * and Go's heap.
 */
export async function stats() {
  const core = await loadCore();
  const { go, instance } = runtime;
  return {
    wasmMemoryBytes: instance.exports.mem.buffer.byteLength,
    jsValuesHeldByGo: go._values.length - go._idPool.length,
    ...JSON.parse(core.heapStats()),
  };
}
