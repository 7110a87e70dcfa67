// The package as npm publishes it, bundled into a page by esbuild, Vite,
// webpack 5 and Rollup with their ordinary browser setups: each build must
// succeed with no node: import in its output, and each page must run the
// whole flow (password grant, /userinfo, refresh, revoke) in headless
// Chromium from its own origin against the real mock on another.
import assert from 'node:assert/strict';
import { cp, copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bundlers, viteDev } from './bundlers/build.mjs';
import { launch, skip, startStatic } from './chromium.mjs';
import { CONFIG, startMock } from './mock.mjs';
import { packed } from './pack.mjs';

if (skip) console.log(skip);
const browserTest = (name, fn) => it(name, { skip }, fn);

const APP = new URL('./bundlers/app/', import.meta.url);
// A confidential client and a user of the mock's test config.
const [CLIENT] = CONFIG.clients;
const [USER] = CONFIG.users;
// A specifier a browser cannot load, as it would appear in code (quoted).
const NODE_SPECIFIER = /["'`]node:[a-z]/;

/** Every file under dir, as paths relative to it. */
async function filesUnder(dir) {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

describe('bundlers', () => {
  let pkg; let mock; let browser;
  const builds = {}; // name -> { out, error, warnings, files }
  const sites = {}; // name -> static server for the built page (or { port, close } of Vite's dev server)
  let wasm; // ropc.wasm as packed

  before(async () => {
    [pkg, mock] = await Promise.all([packed(), startMock({ admin: false })]);
    await cp(APP, pkg.dir, { recursive: true });
    wasm = await readFile(join(pkg.root, 'ropc.wasm'));
    // One after another: the machine has two cores and other tests.
    for (const [name, bundle] of Object.entries(bundlers)) {
      const out = join(pkg.dir, `dist-${name}`);
      try {
        builds[name] = { out, warnings: await bundle(pkg.dir, out), files: await filesUnder(out) };
      } catch (error) {
        builds[name] = { out, error, warnings: [], files: [] };
      }
    }
    // The pages esbuild and Rollup leave to the app: index.html is the
    // app's; webpack's bundle is a classic script.
    const page = (name, write) => (builds[name].error ? undefined : write(join(builds[name].out, 'index.html')));
    for (const name of ['esbuild', 'rollup']) await page(name, (to) => copyFile(new URL('index.html', APP), to));
    await page('webpack', (to) => writeFile(to, '<!doctype html><meta charset="utf-8"><script src="./main.js"></script>'));
    if (skip) return;
    for (const [name, { out }] of Object.entries(builds)) {
      // /vendor/ serves the module from elsewhere, for createClient({ wasm }).
      sites[name] = await startStatic({ '/': out, '/vendor/': pkg.root });
    }
    sites.viteDev = await viteDev(pkg.dir);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await Promise.all(Object.values(sites).map((s) => s.close()));
    await mock?.stop();
    await pkg?.close();
  });

  for (const name of Object.keys(bundlers)) {
    it(`${name} builds the package unchanged, with no node: import in the output`, () => {
      const { error, warnings, files } = builds[name];
      assert.ifError(error);
      assert.deepEqual(warnings.filter((w) => /node:|fs\/promises|externalized/.test(w)), [], 'no warning about Node modules');
      const scripts = files.filter((f) => f.endsWith('.js'));
      assert.ok(scripts.length > 0, `no script in ${files}`);
      return Promise.all(scripts.map(async (f) => {
        assert.doesNotMatch(await readFile(join(builds[name].out, f), 'utf8'), NODE_SPECIFIER, `${f} imports a node: module`);
      }));
    });
  }

  // Vite and webpack follow new URL('./ropc.wasm', import.meta.url) and emit
  // the file; esbuild and Rollup leave the URL, so the app puts the file next
  // to the bundle (what the README says to do).
  const emits = { vite: true, webpack: true, esbuild: false, rollup: false };
  for (const [name, emitted] of Object.entries(emits)) {
    it(`${name} ${emitted ? 'emits ropc.wasm' : 'leaves ropc.wasm to the app'}`, async () => {
      const wasmFiles = builds[name].files.filter((f) => f.endsWith('.wasm'));
      if (!emitted) {
        assert.deepEqual(wasmFiles, []);
        return;
      }
      assert.equal(wasmFiles.length, 1, `${wasmFiles}`);
      assert.ok((await readFile(join(builds[name].out, wasmFiles[0]))).equals(wasm), 'the emitted file is ropc.wasm');
    });
  }

  const port = (name) => sites[name].port ?? sites[name].address().port;

  /** Opens the page a bundler built, from its own origin (localhost:<port>; the mock is 127.0.0.1). */
  async function openBuilt(name) {
    assert.ifError(builds[name]?.error);
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${port(name)}/`);
    await page.waitForFunction(() => typeof window.ropcFlow === 'function', null, { timeout: 10_000 });
    return { page, errors };
  }

  const vendorURL = (name) => `http://localhost:${port(name)}/vendor/ropc.wasm`;

  async function flow(name, wasmKind = 'none') {
    const { page, errors } = await openBuilt(name);
    try {
      const out = await page.evaluate((args) => window.ropcFlow(args), {
        issuer: mock.issuer, wasm: wasmKind, wasmURL: vendorURL(name),
        client: { clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret },
        user: { username: USER.username, password: USER.password },
      });
      assert.notEqual(out.origin, new URL(mock.url).origin);
      assert.deepEqual({ ...out, origin: undefined }, {
        origin: undefined, tokenType: 'Bearer', userinfo: { status: 200, sub: USER.username }, refreshed: true, afterRevoke: 'OAuthError:invalid_grant',
      });
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  }

  browserTest('esbuild: without ropc.wasm next to the bundle, the error names the URL it tried', async () => {
    const { page } = await openBuilt('esbuild');
    const out = await page.evaluate((args) => window.ropcLoadError(args), { tokenUrl: mock.tokenUrl });
    await page.close();
    const at = `http://localhost:${port('esbuild')}/ropc.wasm`;
    assert.equal(out.name, 'TransportError');
    assert.equal(out.reason, 'wasm_load');
    assert.ok(out.message.startsWith(`ropc: could not load the WebAssembly module ${at}: HTTP 404;`), out.message);
  });

  // esbuild's page has no ropc.wasm beside it (yet): these work only through the option.
  for (const kind of ['url', 'string', 'response', 'promise', 'bytes', 'module']) {
    browserTest(`esbuild: createClient({ wasm }) as ${kind} runs the flow`, () => flow('esbuild', kind));
  }

  for (const name of Object.keys(bundlers)) {
    browserTest(`${name}: the bundled page runs the flow in Chromium from another origin`, async () => {
      if (!emits[name]) await copyFile(join(pkg.root, 'ropc.wasm'), join(builds[name].out, 'ropc.wasm'));
      await flow(name);
    });
  }

  // What a developer runs first: Vite's dev server pre-bundles the package.
  browserTest('vite dev server: the page runs the flow in Chromium from another origin', () => flow('viteDev'));
});
