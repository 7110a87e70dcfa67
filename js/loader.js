// Loads ropc.wasm once per JavaScript realm and resolves to the core: the pure
// build/parse functions of wasm/internal/bridge, each returning the parsed
// JSON answer string ({"ok": ...} or {"error": ...}). Nothing here imports a
// node: module: node.js (the package's "node" entry) hands in a file reader,
// so browser builds never reach one.
import { TransportError } from './errors.js';
import './wasm_exec.js'; // the Go toolchain's own runtime shim, copied by `make js`

const Go = globalThis.Go;
// The literal `new URL('./…', import.meta.url)` form: Vite and webpack 5 emit
// the file and rewrite this URL; esbuild and Rollup leave it, and
// the file must then sit next to the bundle (or come as createClient({ wasm })).
const wasmURL = new URL('./ropc.wasm', import.meta.url);

// The protocol version and function numbers of wasm/internal/bridge (call.go, mfa.go, dpop.go,
// savedtoken.go); its TestLoaderSpeaksThisProtocol fails when this table and the Go ones differ.
const PROTOCOL_VERSION = 3;
const FUNCTIONS = {
  buildRefreshRequest: 2, // endpoint, clientId, clientSecret, authMethod, refreshToken, scope, params
  buildRevocation: 3, // endpoint, clientId, clientSecret, authMethod, token, hint
  buildIntrospection: 4, // endpoint, clientId, clientSecret, authMethod, token, hint
  parseRevocation: 6, // status, contentType, wwwAuthenticate, body
  parseIntrospection: 7, // status, contentType, wwwAuthenticate, body
  parseMetadata: 8, // status, contentType, wwwAuthenticate, body, issuer, allowInsecure
  heapStats: 11,
  // The shared rules of sdk/core (wasm/internal/bridge/rules.go); booleans as '1' or ''.
  checkEndpoint: 12, // field, url, allowInsecure
  checkIssuer: 13, // issuer, allowInsecure
  resolveAuthMethod: 14, // method, secret
  refreshMargin: 15, // marginMs ('' for the default)
  tokenStep: 16, // hasToken, hasAccessToken, hasRefreshToken, rejected, expiresAtMs, expiresIn, marginMs, retryAtMs, nowMs
  refreshFailure: 17, // oauthCode, forced, hasAccessToken, expiresAtMs, nowMs
  nextDiscoveryURL: 18, // issuer, triedJSON
  checkClientConfig: 19, // clientId, tokenUrl, issuer, revocationUrl, introspectionUrl, challengeUrl
  refusesToken: 20, // wwwAuthenticate
  // Sign-in functions (wasm/internal/bridge/mfa.go), numbered from 32.
  buildSignInRequest: 32, // endpoint, clientId, clientSecret, authMethod, username, password, scope, params, realm, otp
  buildMFATokenRequest: 33, // endpoint, clientId, clientSecret, authMethod, grant, mfaToken, otp, oobCode, bindingCode, recoveryCode, scope, params
  parseSignInResponse: 34, // status, contentType, wwwAuthenticate, body, retryAfter, grant, requestedScope, previousRefreshToken, previousScope
  challengeEndpoint: 35, // tokenEndpoint, metadataJSON
  buildChallengeRequest: 36, // endpoint, clientId, clientSecret, authMethod, mfaToken, types, authenticatorId
  parseChallengeResponse: 37, // status, contentType, wwwAuthenticate, body, retryAfter
  buildAuthenticatorsRequest: 38, // challengeEndpoint, mfaToken
  parseAuthenticators: 39, // status, contentType, wwwAuthenticate, body, retryAfter
  oobPoll: 40, // errorCode, intervalSeconds
  signInStep: 41, // failed, oauthKind, mfaToken, canPrompt, otp, recovery
  // Saved tokens (wasm/internal/bridge/savedtoken.go), numbered from 201.
  marshalSavedToken: 201, // savedToken (JSON)
  unmarshalSavedToken: 202, // record, tokenUrl, issuer, clientId, dpopJkt
  checkStoreName: 203, // name
  // DPoP (RFC 9449), wasm/internal/bridge/dpop.go
  dpopKey: 101, // publicJwk
  dpopSigningInput: 102, // alg, canonicalJwk, method, url, accessToken, nonce, nowMillis
  dpopProof: 103, // signingInput, signature bytes
  dpopNonce: 104, // url, status, wwwAuthenticate, body, dpopNonceHeader
  checkTokenType: 105, // tokenType, dpop ('1' or ''), allowBearer ('1' or '')
  dpopNonceOrigin: 107, // url
  resourceScheme: 108, // tokenType, dpop ('1' or '')
};

let loading;
let runtime; // { go, instance }, for stats()

/**
 * Resolves to the WebAssembly core; every client shares one instance. `wasm`
 * (createClient's option) says where the module comes from when it is not
 * next to this file; the first load that succeeds decides, later clients
 * share its instance.
 */
export function loadCore(wasm) {
  try {
    checkSource(wasm);
  } catch (e) {
    return Promise.reject(e);
  }
  loading ??= instantiate(wasm).catch((e) => {
    loading = undefined; // let a later call try again
    throw e;
  });
  return loading;
}

async function instantiate(wasm) {
  const go = new Go();
  // main() calls the global named by argv[1] with the protocol version when ready.
  const readyName = `__ropcReady${Math.random().toString(36).slice(2)}`;
  let ready;
  const readyPromise = new Promise((resolve) => { ready = resolve; });
  globalThis[readyName] = (version) => ready(version);
  go.argv = ['ropc', readyName];
  try {
    const instance = await compile(go.importObject, wasm);
    const exited = go.run(instance).then(() => {
      throw new TransportError('ropc: the WebAssembly module exited before it was ready', { reason: 'wasm_load' });
    });
    const version = await Promise.race([readyPromise, exited]);
    if (version !== PROTOCOL_VERSION) {
      throw new TransportError(`ropc: ropc.wasm speaks protocol ${version}, this JavaScript ${PROTOCOL_VERSION}: ` +
        'rebuild with make js', { reason: 'wasm_load' });
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

// How a URL becomes bytes: fetch here; node.js swaps in a reader that takes
// file: URLs from disk. show() is the name an error gives the module.
let host = {
  read: async (url) => {
    if (url.protocol === 'file:') throw new Error('this entry of the package reads no files (its "node" entry does)');
    return fetch(url);
  },
  toURL: (text) => new URL(text, globalThis.document?.baseURI ?? globalThis.location?.href),
  show: (url) => url.href,
};

/** Called once by node.js, the package's entry under Node. */
export function setHost(h) {
  host = h;
}

const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const isModule = (v) => v instanceof WebAssembly.Module;
// Any fetch implementation's Response (undici's, Electron's net.fetch, the global one).
const isResponse = (v) => v != null && typeof v === 'object' && typeof v.arrayBuffer === 'function' &&
  typeof v.status === 'number' && v.headers != null;
const isThenable = (v) => v != null && typeof v.then === 'function';

/** Refuses a createClient({ wasm }) of a kind the loader cannot use, before anything loads. */
function checkSource(wasm) {
  if (wasm == null || typeof wasm === 'string' || wasm instanceof URL || isBytes(wasm) || isModule(wasm) ||
    isResponse(wasm) || isThenable(wasm)) return;
  const kind = typeof wasm === 'object' ? Object.prototype.toString.call(wasm).slice(8, -1) : typeof wasm;
  throw new TransportError('ropc: options.wasm must be a URL, a Response (or a promise of one), bytes ' +
    `(ArrayBuffer or Uint8Array) or a WebAssembly.Module, not ${kind}`, { reason: 'invalid_input' });
}

function loadError(name, problem, cause, fromOption) {
  const hint = fromOption ? '' : '; put ropc.wasm there or pass it as createClient({ wasm }) (see "Bundlers and Electron" in the README)';
  return new TransportError(`ropc: could not load the WebAssembly module ${name}: ${problem}${hint}`, { reason: 'wasm_load', cause });
}

/** What went wrong, for a person: the file system's code in words, else the message. */
function problemOf(e) {
  const words = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied', EPERM: 'permission denied' };
  if (e?.code && words[e.code]) return `${words[e.code]} (${e.code})`;
  return String(e?.message ?? e);
}

/** Instantiates the module from createClient's `wasm` option, or from ropc.wasm next to this file. */
async function compile(imports, wasm) {
  const fromOption = wasm != null;
  const fail = (name, problem, cause) => loadError(name, problem, cause, fromOption);
  let source = wasm ?? wasmURL;
  let name = '';
  if (typeof source === 'string') {
    try {
      source = host.toURL(source);
    } catch {
      throw new TransportError('ropc: options.wasm is a string but not a URL', { reason: 'invalid_input' });
    }
  }
  if (source instanceof URL) {
    name = host.show(source);
    try {
      source = await host.read(source);
    } catch (e) {
      throw fail(name, problemOf(e), e);
    }
  } else if (isThenable(source)) {
    name = '(what the promise passed as options.wasm resolved to)';
    try {
      source = await source;
    } catch (e) {
      throw fail('(the promise passed as options.wasm)', problemOf(e), e);
    }
  }
  if (isResponse(source)) {
    // A URL names itself; a Response handed over names the URL it came from, if any.
    if (!(wasm == null || typeof wasm === 'string' || wasm instanceof URL)) name = source.url || name || '(the Response passed as options.wasm)';
    if (!source.ok) throw fail(name, `HTTP ${source.status}`);
    // instantiateStreaming compiles while the bytes arrive, but only for a
    // server that sends Content-Type: application/wasm.
    if (typeof WebAssembly.instantiateStreaming === 'function' &&
      /^application\/wasm\b/i.test(source.headers.get('content-type') ?? '')) {
      try {
        return (await WebAssembly.instantiateStreaming(source, imports)).instance;
      } catch (e) {
        throw fail(name, `not a usable WebAssembly module (${problemOf(e)})`, e);
      }
    }
    try {
      source = await source.arrayBuffer();
    } catch (e) {
      throw fail(name, problemOf(e), e);
    }
  }
  name ||= isModule(source) ? '(the WebAssembly.Module passed as options.wasm)' : '(the bytes passed as options.wasm)';
  if (!isModule(source) && !isBytes(source)) throw fail(name, 'neither a Response nor bytes nor a WebAssembly.Module');
  try {
    if (isModule(source)) return await WebAssembly.instantiate(source, imports);
    return (await WebAssembly.instantiate(source, imports)).instance;
  } catch (e) {
    throw fail(name, `not a usable WebAssembly module (${problemOf(e)})`, e);
  }
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
