// The Worker's entry module; scripts/build-worker.sh installs it as
// build/worker.mjs in place of the one github.com/syumai/workers' generator
// writes.
//
// Why it replaces the generated module: that one instantiates app.wasm and
// runs the Go program for every request (Go runtime start, config parse, key
// import, D1 open: milliseconds of CPU each time), and hands the program the
// request's env and ctx at start-up. This one starts one Go instance per
// isolate and gives it every request the isolate serves, concurrent ones
// included; the request and its ctx go with each call (binding.serve), so
// nothing per request is captured at start-up. It keeps the generator's
// wasm_exec.js, whose Go class exposes `context` ({env, binding}) to the Go
// side the way github.com/syumai/workers' env and D1 bindings read it.
//
// If an instance ends (a Go panic, os.Exit, a WebAssembly trap), every
// request it was serving is answered with a 500 in the RFC 6749 §5.2 error
// format, and the next request starts a new instance. Nothing is lost: the
// mock keeps its state in D1.
import "./wasm_exec.js";
import wasmModule from "./app.wasm";

// Requests carry at most this many body bytes into Go; the mock refuses
// anything above 64 KiB itself (413), so a larger body is cut here, not read
// whole into memory.
const maxBodyBytes = 1 << 20;

// One instance per env object: the Workers runtime passes the same env to
// every request of an isolate, and an instance's configuration comes from
// its env, so a request with another env gets its own instance.
const instances = new WeakMap();

// instanceFor returns the live instance for env, starting one if needed.
// Concurrent first requests wait for the same start.
function instanceFor(env) {
  let started = instances.get(env);
  if (started === undefined) {
    started = startInstance(env);
    instances.set(env, started);
    // A start that fails is forgotten, so the next request tries again.
    started.catch(() => {
      if (instances.get(env) === started) instances.delete(env);
    });
  }
  return started;
}

async function startInstance(env) {
  const go = new Go();
  const binding = {};
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  let startFailed;
  const failedStart = new Promise((resolve) => (startFailed = resolve));
  // pending holds the settle functions of the requests this instance is
  // serving, so that its end can answer them.
  const inst = { binding, alive: true, pending: new Set() };
  const end = (reason) => {
    if (!inst.alive) return;
    inst.alive = false;
    instances.get(env)?.then((current) => {
      if (current === inst) instances.delete(env);
    }, () => {});
    console.error(`ropc worker: the Go instance ended (${reason}); the next request starts a new one`);
    for (const settle of inst.pending) settle(null);
    inst.pending.clear();
    startFailed(reason);
  };
  // Go's runtime calls exit when main returns, on os.Exit, and after an
  // unrecovered panic or a fatal error.
  go.exit = (code) => end(`exit code ${code}`);
  // Every entry into Go (a JavaScript call of a Go function, a timer, a
  // settled promise) goes through _resume; a trap there leaves the module
  // unusable.
  const resume = go._resume.bind(go);
  go._resume = () => {
    try {
      resume();
    } catch (err) {
      end(`WebAssembly trap: ${err}`);
      throw err;
    }
  };
  const instance = new WebAssembly.Instance(wasmModule, {
    ...go.importObject,
    workers: { ready: () => markReady() },
  });
  // No ctx here: each request's ctx is passed with the request.
  go.run(instance, { env, binding }).catch((err) => end(`${err}`));
  const first = await Promise.race([ready.then(() => "ready"), failedStart]);
  if (first !== "ready") {
    throw new Error(`the Go instance ended while starting (${first})`);
  }
  return inst;
}

// serve hands one request frame to inst and settles with the response frame,
// or with null if the instance ends first.
function serve(inst, frame, ctx) {
  return new Promise((resolve, reject) => {
    if (!inst.alive) {
      resolve(null);
      return;
    }
    const settle = (out) => {
      inst.pending.delete(settle);
      resolve(out);
    };
    inst.pending.add(settle);
    const fail = (err) => {
      inst.pending.delete(settle);
      reject(err);
    };
    try {
      inst.binding.serve(frame, ctx, settle, fail);
    } catch (err) {
      // A Go instance that ended in the meantime throws here.
      fail(err);
    }
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// requestFrame packs a request into one byte array for Go; frame.go in this
// directory holds the format and its parser.
function requestFrame(request, body) {
  let head = `${request.method}\n${request.url}\n${body === null ? "-" : "+"}\n`;
  for (const [name, value] of request.headers) head += `${name}:${value}\n`;
  const headBytes = encoder.encode(head);
  const bodyLength = body === null ? 0 : body.byteLength;
  const frame = new Uint8Array(4 + headBytes.byteLength + bodyLength);
  new DataView(frame.buffer).setUint32(0, headBytes.byteLength);
  frame.set(headBytes, 4);
  if (body !== null) frame.set(body, 4 + headBytes.byteLength);
  return frame;
}

// response builds the Response from Go's frame (status, header lines, body).
function response(frame, method) {
  const headLength = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
  const lines = decoder.decode(frame.subarray(4, 4 + headLength)).split("\n");
  const status = Number(lines[0]);
  const headers = new Headers();
  for (let i = 1; i < lines.length - 1; i++) {
    const colon = lines[i].indexOf(":");
    headers.append(lines[i].slice(0, colon), lines[i].slice(colon + 1));
  }
  const body = frame.subarray(4 + headLength);
  const noBody = nullBodyStatus.has(status) || method === "HEAD" || body.byteLength === 0;
  return new Response(noBody ? null : body, { status, headers });
}

// serverError is the answer for a request whose instance ended or could not
// start: RFC 6749 §5.2's error format, server_error as RFC 6749 §4.1.2.1
// names the case, never cached. The description names no request data.
function serverError(what) {
  return new Response(
    JSON.stringify({
      error: "server_error",
      error_description: `the mock's Go instance ${what}; the next request starts a new one`,
    }),
    {
      status: 500,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    },
  );
}

// readBody returns the request body (at most maxBodyBytes + 1 bytes, so the
// mock still sees that it is too large) or null.
async function readBody(request) {
  if (request.body === null) return null;
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isInteger(declared) && declared >= 0 && declared <= maxBodyBytes) {
    // The common case, a small form: one read.
    return new Uint8Array(await request.arrayBuffer());
  }
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      break;
    }
  }
  const body = new Uint8Array(Math.min(size, maxBodyBytes + 1));
  let off = 0;
  for (const c of chunks) {
    const n = Math.min(c.byteLength, body.length - off);
    body.set(c.subarray(0, n), off);
    off += n;
  }
  return body;
}

// Response statuses that must not carry a body (Fetch: null body status).
const nullBodyStatus = new Set([101, 103, 204, 205, 304]);

async function fetch(request, env, ctx) {
  let inst;
  try {
    inst = await instanceFor(env);
  } catch (err) {
    console.error(`ropc worker: ${err.message}`);
    return serverError("could not start");
  }
  const frame = requestFrame(request, await readBody(request));
  let out;
  try {
    out = await serve(inst, frame, ctx);
  } catch (err) {
    console.error(`ropc worker: ${err.message}`);
    return serverError(inst.alive ? "could not read the request" : "ended while serving this request");
  }
  if (out === null) return serverError("ended while serving this request");
  return response(out, request.method);
}

export default { fetch };
