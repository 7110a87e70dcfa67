// Where the WebAssembly module comes from under Node: next to the package, or
// createClient({ wasm }) as a URL, a path, a Response, bytes or a compiled
// module; and what a missing, unreadable or broken module gives. One module
// serves a whole realm, so each case imports its own copy of the package
// (a separate module graph) from a scratch directory.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { startMock } from './mock.mjs';

const PKG = fileURLToPath(new URL('../', import.meta.url));
const WASM = join(PKG, 'ropc.wasm');
const USER = { username: 'johndoe', password: 'A3ddj3w' };

let mock;
let scratch;
let copies = 0;
let wasmBytes;

before(async () => {
  mock = await startMock({ admin: false });
  scratch = await mkdtemp(join(tmpdir(), 'ropc-loader-test-'));
  wasmBytes = await readFile(WASM);
});
after(async () => {
  await mock?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * A fresh copy of the package's JavaScript (what package.json ships), with
 * ropc.wasm replaced as `wasm` says: 'none' leaves it out, a Buffer is written
 * as the file, 'dir' puts a directory in its place; `edit(dir)` may change
 * the copied JavaScript. Resolves to the package
 * as Node's "node" entry sees it, and the path where ropc.wasm would be.
 */
async function packageCopy(wasm = 'none', { edit } = {}) {
  const dir = join(scratch, `copy${copies++}`);
  await mkdir(dir);
  const pkg = JSON.parse(await readFile(join(PKG, 'package.json'), 'utf8'));
  for (const f of [...pkg.files.filter((f) => f.endsWith('.js')), 'package.json']) await copyFile(join(PKG, f), join(dir, f));
  if (edit) await edit(dir);
  const at = join(dir, 'ropc.wasm');
  if (Buffer.isBuffer(wasm)) await writeFile(at, wasm);
  if (wasm === 'dir') await mkdir(at);
  const entry = pkg.exports['.'].node;
  return { ropc: await import(pathToFileURL(join(dir, entry)).href), at };
}

async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

describe('the module next to the package', () => {
  it('is found without options', async () => {
    const { ropc } = await packageCopy(wasmBytes);
    const client = await ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
    assert.equal((await client.passwordGrant(USER)).tokenType, 'Bearer');
  });

  const broken = [
    { name: 'missing: a ropc error naming the file, not a raw ENOENT', wasm: 'none', problem: 'no such file (ENOENT)' },
    { name: 'unreadable (a directory in its place)', wasm: 'dir', problem: 'it is a directory (EISDIR)' },
    { name: 'not WebAssembly', wasm: Buffer.from('<!doctype html>not found'), problem: 'not a usable WebAssembly module' },
  ];
  for (const tc of broken) {
    it(tc.name, async () => {
      const { ropc, at } = await packageCopy(tc.wasm);
      const e = await failure(ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id' }));
      assert.ok(e instanceof ropc.TransportError, `${e}`);
      assert.equal(e.reason, 'wasm_load');
      assert.ok(e.message.startsWith(`ropc: could not load the WebAssembly module ${at}: ${tc.problem}`), e.message);
      assert.match(e.message, /createClient\(\{ wasm \}\)/, 'says how to hand the module over');
    });
  }

  it('is tried again by the next createClient after a failure', async () => {
    const { ropc, at } = await packageCopy('none');
    await failure(ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id' }));
    await copyFile(WASM, at);
    const client = await ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
    assert.equal((await client.passwordGrant(USER)).tokenType, 'Bearer');
  });
});

describe('the protocol handshake', () => {
  it('refuses a module that speaks another protocol than the JavaScript (a stale ropc.wasm)', async () => {
    // The real module beside a loader.js one protocol ahead, as after an upgrade without `make js`.
    let version;
    const { ropc } = await packageCopy(wasmBytes, {
      edit: async (dir) => {
        const file = join(dir, 'loader.js');
        const src = await readFile(file, 'utf8');
        version = Number(/^const PROTOCOL_VERSION = (\d+);$/m.exec(src)[1]);
        await writeFile(file, src.replace(/^const PROTOCOL_VERSION = \d+;$/m, `const PROTOCOL_VERSION = ${version + 1};`));
      },
    });
    const e = await failure(ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id' }));
    assert.ok(e instanceof ropc.TransportError, `${e}`);
    assert.equal(e.reason, 'wasm_load');
    assert.equal(e.message, `ropc: ropc.wasm speaks protocol ${version}, this JavaScript ${version + 1}: rebuild with make js`);
  });
});

describe('createClient({ wasm })', () => {
  // Each copy has no ropc.wasm of its own: a grant that works came from `wasm`.
  const sources = [
    { name: 'a file: URL', make: () => pathToFileURL(WASM) },
    { name: 'a path', make: () => WASM },
    { name: 'a Response served as application/wasm (streaming)', make: () => new Response(wasmBytes, { headers: { 'content-type': 'application/wasm' } }) },
    { name: 'a promise of a Response without a wasm Content-Type', make: async () => new Response(wasmBytes) },
    { name: 'a Uint8Array', make: () => new Uint8Array(wasmBytes) },
    { name: 'an ArrayBuffer', make: () => wasmBytes.buffer.slice(wasmBytes.byteOffset, wasmBytes.byteOffset + wasmBytes.byteLength) },
    { name: 'a compiled WebAssembly.Module', make: () => WebAssembly.compile(wasmBytes) },
  ];
  for (const tc of sources) {
    it(`loads from ${tc.name}`, async () => {
      const { ropc } = await packageCopy('none');
      const wasm = await tc.make();
      const client = await ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret', wasm });
      assert.equal((await client.passwordGrant(USER)).tokenType, 'Bearer');
    });
  }

  const refused = [
    { name: 'a number', make: () => 42, reason: 'invalid_input', message: /options\.wasm must be a URL, a Response .* not number/ },
    { name: 'a plain object', make: () => ({ href: 'x' }), reason: 'invalid_input', message: /options\.wasm must be .* not Object/ },
    { name: 'a 404 Response', make: () => new Response('gone', { status: 404 }), reason: 'wasm_load',
      message: /^ropc: could not load the WebAssembly module \(the Response passed as options\.wasm\): HTTP 404/ },
    { name: 'bytes that are not WebAssembly', make: () => new Uint8Array([1, 2, 3]), reason: 'wasm_load',
      message: /^ropc: could not load the WebAssembly module \(the bytes passed as options\.wasm\): not a usable WebAssembly module/ },
    { name: 'a path to no file', make: () => '/nonexistent/ropc.wasm', reason: 'wasm_load',
      message: /^ropc: could not load the WebAssembly module \/nonexistent\/ropc\.wasm: no such file \(ENOENT\)/ },
    { name: 'a promise that rejects', make: () => Promise.reject(new Error('offline')), reason: 'wasm_load',
      message: /\(the promise passed as options\.wasm\): offline/ },
    { name: 'a promise of something else', make: async () => 'ropc.wasm', reason: 'wasm_load',
      message: /\(what the promise passed as options\.wasm resolved to\): neither a Response nor bytes nor a WebAssembly\.Module/ },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name} with a clear error`, async () => {
      const { ropc } = await packageCopy('none');
      const e = await failure(ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', wasm: tc.make() }));
      assert.ok(e instanceof ropc.TransportError, `${e}`);
      assert.equal(e.reason, tc.reason);
      assert.match(e.message, tc.message);
      assert.doesNotMatch(e.message, /put ropc\.wasm there/, 'no advice to move a file the caller handed over');
    });
  }

  it('checks the option even when the module is already loaded', async () => {
    const { ropc } = await packageCopy(wasmBytes);
    await ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id' });
    const e = await failure(ropc.createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', wasm: 42 }));
    assert.equal(e.reason, 'invalid_input');
  });
});
