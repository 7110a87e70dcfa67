// The package as npm publishes it (npm pack): what it ships, and that Node 20
// loads it from ESM and, where Node has require(esm), from require().
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';

import { startMock } from './mock.mjs';
import { PKG, packed } from './pack.mjs';

const run = promisify(execFile);
let pkg;
let mock;

before(async () => {
  [pkg, mock] = await Promise.all([packed(), startMock({ admin: false })]);
});
after(async () => {
  await pkg?.close();
  await mock?.stop();
});

/** Every string target of package.json "exports", however deep the conditions nest. */
function exportTargets(exp) {
  if (typeof exp === 'string') return [exp];
  return Object.values(exp).flatMap(exportTargets);
}

it('ships the MIT LICENSE of the repository', () => {
  const root = readFileSync(join(PKG, '..', 'LICENSE'), 'utf8');
  assert.match(root, /^MIT License\n/);
  assert.equal(readFileSync(join(pkg.root, 'LICENSE'), 'utf8'), root);
  assert.equal(JSON.parse(readFileSync(join(pkg.root, 'package.json'), 'utf8')).license, 'MIT');
});

it('ships every file its exports and its modules name, and no tests', () => {
  const manifest = JSON.parse(readFileSync(join(pkg.root, 'package.json'), 'utf8'));
  for (const target of [manifest.main, manifest.types, ...exportTargets(manifest.exports)]) {
    assert.ok(existsSync(join(pkg.root, target)), `package.json names ${target}, which the tarball lacks`);
  }
  const shipped = pkg.files.map((f) => f.path);
  for (const file of shipped.filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(join(pkg.root, file), 'utf8');
    for (const [, spec] of src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      assert.ok(shipped.includes(join(file, '..', spec)), `${file} imports ${spec}, which the tarball lacks`);
    }
  }
  assert.deepEqual(shipped.filter((f) => /^(test|bench|node_modules)\//.test(f)), []);
});

it('installs ropc.wasm with mode 0644', () => {
  const entry = pkg.files.find((f) => f.path === 'ropc.wasm');
  assert.ok(entry, 'ropc.wasm is in the tarball');
  assert.equal(entry.mode.toString(8), '644', 'mode in the tarball');
  assert.equal((statSync(join(PKG, 'ropc.wasm')).mode & 0o777).toString(8), '644', 'mode of js/ropc.wasm as make js built it');
});

// Each child signs in against the mock with the unpacked package and prints
// the token type and which entry file Node chose.
const flow = (load) => `${load}
createClient({ tokenUrl: process.env.TOKEN_URL, clientId: 'client_id', clientSecret: 'client_secret' })
  .then((c) => c.passwordGrant({ username: 'johndoe', password: 'A3ddj3w' }))
  .then((t) => console.log(JSON.stringify({ tokenType: t.tokenType, entry })));`;

async function child(args) {
  const { stdout } = await run(process.execPath, args, {
    cwd: pkg.dir, env: { ...process.env, TOKEN_URL: mock.tokenUrl }, timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

it('runs from ESM under Node (the "node" entry)', async () => {
  const out = await child(['--input-type=module', '-e',
    flow("import { createClient } from 'ropc'; const entry = import.meta.resolve('ropc').split('/').at(-1);")]);
  assert.deepEqual(out, { tokenType: 'Bearer', entry: 'node.js' });
});

const requireESM = process.features.require_module === true;
it('runs from require() (require(esm))', { skip: requireESM ? false : `Node ${process.version} has no require(esm)` }, async () => {
  const out = await child(['--input-type=commonjs', '-e',
    flow("const { createClient } = require('ropc'); const entry = require.resolve('ropc').split('/').at(-1);")]);
  assert.deepEqual(out, { tokenType: 'Bearer', entry: 'node.js' });
});

// make dist's npm part (internal/dist's Go test covers the binaries): the
// tarball sits beside the archives, SHA256SUMS covers it, and it is the same
// bytes as an npm pack of its own (the pack is reproducible).
it('make dist ships the npm tarball with the archives and SHA256SUMS', { timeout: 600_000 }, async () => {
  const goOS = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[process.platform];
  const goArch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  const out = await mkdtemp(join(tmpdir(), 'ropc-dist-test-'));
  try {
    await run('go', ['run', './internal/dist', '-out', out, '-version', 'v0.0.0-test', '-targets', `${goOS}/${goArch}`],
      { cwd: join(PKG, '..'), timeout: 590_000 });
    const archive = `ropc_v0.0.0-test_${goOS}_${goArch}.${goOS === 'windows' ? 'zip' : 'tar.gz'}`;
    const tarball = pkg.tarball.split('/').at(-1);
    assert.deepEqual(readdirSync(out).sort(), ['SHA256SUMS', archive, tarball].sort());
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split('  '));
    assert.deepEqual(sums.map(([, name]) => name), [archive, tarball].sort());
    for (const [sum, name] of sums) {
      assert.equal(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), sum, name);
    }
    assert.ok(readFileSync(join(out, tarball)).equals(readFileSync(pkg.tarball)), 'npm pack gives the same bytes twice');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
