// Loads ropc.wasm once per JavaScript realm and resolves to the core: the pure
// build/parse functions of wasm/internal/bridge, each returning the parsed JSON answer
// string ({"ok": ...} or {"error": ...}).
import './wasm_exec.js'; // the Go toolchain's own runtime shim, copied by `make js`

const Go = globalThis.Go;
const wasmURL = new URL('./ropc.wasm', import.meta.url);
const isNode = typeof process === 'object' && typeof process.versions?.node === 'string' &&
  wasmURL.protocol === 'file:';

// Function numbers and argument counts of wasm/internal/bridge/call.go (keep in step).
const PROTOCOL_VERSION = 1;
const FUNCTIONS = {
  buildPasswordRequest: 1, // endpoint, clientId, clientSecret, authMethod, username, password, scope, params
  buildRefreshRequest: 2, // endpoint, clientId, clientSecret, authMethod, refreshToken, scope, params
  buildRevocation: 3, // endpoint, clientId, clientSecret, authMethod, token, hint
  buildIntrospection: 4, // endpoint, clientId, clientSecret, authMethod, token, hint
  parseTokenResponse: 5, // status, contentType, wwwAuthenticate, body
  parseRevocation: 6, // status, contentType, wwwAuthenticate, body
  parseIntrospection: 7, // status, contentType, wwwAuthenticate, body
  parseMetadata: 8, // status, contentType, wwwAuthenticate, body, issuer
  discoveryURLs: 9, // issuer
  parseBearerChallenge: 10, // header
  heapStats: 11,
  // Sign-in functions (wasm/internal/bridge/mfa.go), numbered from 32.
  buildSignInRequest: 32, // endpoint, clientId, clientSecret, authMethod, username, password, scope, params, realm, otp
  buildMFATokenRequest: 33, // endpoint, clientId, clientSecret, authMethod, grant, mfaToken, otp, oobCode, bindingCode, recoveryCode, scope, params
  parseSignInResponse: 34, // status, contentType, wwwAuthenticate, body, retryAfter, grant
  challengeEndpoint: 35, // tokenEndpoint, metadataJSON
  buildChallengeRequest: 36, // endpoint, clientId, clientSecret, authMethod, mfaToken, types, authenticatorId
  parseChallengeResponse: 37, // status, contentType, wwwAuthenticate, body, retryAfter
  buildAuthenticatorsRequest: 38, // challengeEndpoint, mfaToken
  parseAuthenticators: 39, // status, contentType, wwwAuthenticate, body, retryAfter
  oobPoll: 40, // errorCode, intervalSeconds
};

let loading;
let runtime; // { go, instance }, for stats()

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
  // main() calls the global named by argv[1] with the protocol version when ready.
  const readyName = `__ropcReady${Math.random().toString(36).slice(2)}`;
  let ready;
  const readyPromise = new Promise((resolve) => { ready = resolve; });
  globalThis[readyName] = (version) => ready(version);
  go.argv = ['ropc', readyName];
  try {
    const { instance } = await compile(go.importObject);
    const exited = go.run(instance).then(() => {
      throw new Error('ropc: the WebAssembly module exited before it was ready');
    });
    const version = await Promise.race([readyPromise, exited]);
    if (version !== PROTOCOL_VERSION) {
      throw new Error(`ropc: ropc.wasm speaks protocol ${version}, this JavaScript ${PROTOCOL_VERSION}: rebuild with make js`);
    }
    runtime = { go, instance };
    return makeCore(instance.exports);
  } finally {
    delete globalThis[readyName];
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Wraps the two go:wasmexport functions of wasm/exports.go. A call packs its
 * arguments (a little-endian uint32 byte length, then the bytes) straight into
 * Go memory, runs, and decodes the JSON answer from Go memory.
 */
function makeCore(exports) {
  const { ropc_input: input, ropc_call: call, mem } = exports;
  const run = (fn, args) => {
    const bytes = args.map((a) => (a instanceof Uint8Array ? a : String(a ?? '')));
    let room = 0;
    for (const a of bytes) room += 4 + (typeof a === 'string' ? a.length * 3 : a.byteLength); // UTF-8 <= 3 bytes per UTF-16 unit
    const base = input(room) >>> 0; // an i32 address: read it unsigned
    // Fetched after input(): growing Go's heap replaces mem.buffer.
    const memory = new Uint8Array(mem.buffer);
    const view = new DataView(mem.buffer);
    let at = base;
    for (const a of bytes) {
      let n;
      if (typeof a === 'string') {
        n = encoder.encodeInto(a, memory.subarray(at + 4, at + 4 + a.length * 3)).written;
      } else {
        memory.set(a, at + 4);
        n = a.byteLength;
      }
      view.setUint32(at, n, true);
      at += 4 + n;
    }
    const where = call(fn, at - base);
    const address = Number(where >> 32n);
    const length = Number(where & 0xffffffffn);
    return decoder.decode(new Uint8Array(mem.buffer, address, length));
  };
  const core = {};
  for (const [name, fn] of Object.entries(FUNCTIONS)) core[name] = (...args) => run(fn, args);
  return core;
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
    ...JSON.parse(core.heapStats()).ok,
  };
}
