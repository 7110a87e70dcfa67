// ropc/electron under Node: the store's logic with a safeStorage object passed in (real AES-GCM
// from node:crypto standing in for the OS key), and sessions saved and resumed against a real
// ropc-mock. Electron itself is not needed.
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TransportError, createClient } from '../index.js';
import { createSafeStorageStore } from '../electron.js';
import { DPOP_CONFIG, startMock } from './mock.mjs';

/**
 * A safeStorage with Electron's method names, encrypting with AES-256-GCM under a key that
 * stands for the OS keychain's. `async: false` is an Electron before the async API; `rotated`
 * makes decryptStringAsync ask for re-encryption, as after a key rotation.
 */
function testSafeStorage({ available = true, backend = 'gnome_libsecret', async = true, rotated = false, lossy = false } = {}) {
  const key = randomBytes(32);
  const encrypt = (s) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([c.update(lossy ? s.slice(0, 10) : s, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  };
  const decrypt = (b) => {
    const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
    d.setAuthTag(b.subarray(12, 28));
    return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
  };
  const calls = { encrypt: 0, decrypt: 0 };
  const s = {
    calls,
    isEncryptionAvailable: () => available,
    encryptString: (t) => { calls.encrypt++; return encrypt(t); },
    decryptString: (b) => { calls.decrypt++; return decrypt(b); },
    getSelectedStorageBackend: () => backend,
  };
  if (async) {
    Object.assign(s, {
      isAsyncEncryptionAvailable: async () => available,
      encryptStringAsync: async (t) => { calls.encrypt++; calls.async = true; return encrypt(t); },
      decryptStringAsync: async (b) => { calls.decrypt++; return { result: decrypt(b), shouldReEncrypt: rotated }; },
    });
  }
  return s;
}

const dirs = [];
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'ropc-electron-test-'));
  dirs.push(d);
  return join(d, 'tokens');
}

let mock;
before(async () => { mock = await startMock({ config: { ...DPOP_CONFIG, access_token_ttl: '2s' } }); });
after(async () => {
  await mock?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const USER = { username: 'johndoe', password: 'A3ddj3w' };
const client = () => createClient({ tokenUrl: `${mock.url}/token`, clientId: 'client_id', clientSecret: 'client_secret' });

describe('createSafeStorageStore', () => {
  it('refuses the basic_text backend on Linux unless allowPlaintext', async () => {
    const safeStorage = testSafeStorage({ backend: 'basic_text' });
    await assert.rejects(createSafeStorageStore({ safeStorage, dir: await tempDir(), platform: 'linux' }),
      (e) => e instanceof TransportError && e.reason === 'store_plaintext' && /allowPlaintext: true/.test(e.message));
    const store = await createSafeStorageStore({ safeStorage, dir: await tempDir(), platform: 'linux', allowPlaintext: true });
    assert.equal(store.backend, 'basic_text');
    // Off Linux there is no basic_text: the OS keeps the key.
    const mac = await createSafeStorageStore({ safeStorage, dir: await tempDir(), platform: 'darwin' });
    assert.equal(mac.backend, 'os');
  });

  it('refuses when no encryption is available or the app is not ready', async () => {
    for (const [opts, reason] of [[{ available: false }, /no encryption available/], [{ available: false, async: false }, /no encryption available/],
      [{ backend: 'unknown' }, /after app.whenReady/]]) {
      await assert.rejects(createSafeStorageStore({ safeStorage: testSafeStorage(opts), dir: await tempDir(), platform: 'linux' }),
        (e) => e.reason === 'store_unavailable' && reason.test(e.message));
    }
  });

  for (const async of [true, false]) {
    it(`saves, loads and deletes encrypted records (${async ? 'async' : 'sync'} safeStorage API)`, async () => {
      const safeStorage = testSafeStorage({ async });
      const dir = await tempDir();
      const store = await createSafeStorageStore({ safeStorage, dir, platform: 'linux' });
      const record = JSON.stringify({ v: 1, access_token: 'at-plaintext-marker', client_id: 'c' });
      await store.save('work', record);
      assert.equal(await store.load('work'), record);
      assert.equal(safeStorage.calls.async === true, async, 'the async API is used where it exists');

      const bytes = await readFile(join(dir, 'work.bin'));
      assert.ok(!bytes.includes('at-plaintext-marker'), 'the file holds ciphertext');
      assert.equal((await stat(join(dir, 'work.bin'))).mode & 0o777, 0o600);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      assert.deepEqual(await readdir(dir), ['work.bin'], 'no temporary file left');

      await store.delete('work');
      assert.equal(await store.load('work'), null);
      await store.delete('work'); // deleting what is not there is fine
    });
  }

  it('checks names with the core rule', async () => {
    const store = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir: await tempDir(), platform: 'linux' });
    for (const name of ['../escape', 'a/b', '.hidden', '', 'x'.repeat(65)]) {
      await assert.rejects(store.save(name, '{}'), (e) => e.reason === 'invalid_input', name);
      await assert.rejects(store.load(name), (e) => e.reason === 'invalid_input', name);
    }
  });

  it('reads back every write and fails loudly when the record did not survive', async () => {
    const store = await createSafeStorageStore({ safeStorage: testSafeStorage({ lossy: true }), dir: await tempDir(), platform: 'linux' });
    await assert.rejects(store.save('work', 'a record longer than ten bytes'), (e) => e.reason === 'store_corrupt');
  });

  it('fails loudly on a file it cannot decrypt', async () => {
    const dir = await tempDir();
    const store = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir, platform: 'linux' });
    await writeFile(join(dir, 'work.bin'), 'not ciphertext at all, not even close');
    await assert.rejects(store.load('work'), (e) => e.reason === 'store_corrupt' && /sign in again/.test(e.message));
  });

  it('re-encrypts a record when safeStorage rotated its key', async () => {
    const safeStorage = testSafeStorage({ rotated: true });
    const dir = await tempDir();
    const store = await createSafeStorageStore({ safeStorage, dir, platform: 'linux' });
    await store.save('work', '{"v":1}');
    const before = await readFile(join(dir, 'work.bin'));
    const writes = safeStorage.calls.encrypt;
    assert.equal(await store.load('work'), '{"v":1}');
    assert.equal(safeStorage.calls.encrypt, writes + 1, 'written again under the new key');
    assert.notDeepEqual(await readFile(join(dir, 'work.bin')), before);
  });
});

describe('session({ store, name }) and client.resume', () => {
  it('saves on sign-in and every refresh, and resumes in a new client', async () => {
    const store = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir: await tempDir(), platform: 'linux' });
    const first = await client();
    const token = await first.passwordGrant({ ...USER, scope: 'read' });
    const session = first.session(token, { store, name: 'work' });
    await session.saved;
    const record = JSON.parse(await store.load('work'));
    assert.equal(record.access_token, token.accessToken);
    assert.equal(record.client_id, 'client_id');
    assert.equal(record.token_url, `${mock.url}/token`);
    first.close();

    // A new client, as after a restart of the app.
    const second = await client();
    const resumed = await second.resume(store, 'work');
    assert.equal(resumed.token.accessToken, token.accessToken);
    assert.equal(resumed.token.scope, 'read');
    assert.equal(resumed.token.expiresAt, Math.floor(token.expiresAt / 1000) * 1000);

    // The 2s token goes stale; the refresh is saved before the new token is handed out.
    await new Promise((r) => setTimeout(r, 1200));
    const fresh = await resumed.accessToken();
    assert.notEqual(fresh, token.accessToken);
    const saved = JSON.parse(await store.load('work'));
    assert.equal(saved.access_token, fresh);
    assert.equal(saved.refresh_token, resumed.token.refreshToken);
    assert.notEqual(saved.refresh_token, token.refreshToken, 'the rotated refresh token is the one saved');
    const res = await resumed.fetch(`${mock.url}/userinfo`);
    assert.equal(res.status, 200);
    second.close();
  });

  it('refuses a saved token for another client or server, and a missing one', async () => {
    const store = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir: await tempDir(), platform: 'linux' });
    const c = await client();
    await c.session(await c.passwordGrant(USER), { store, name: 'mine' }).saved;
    const other = await createClient({ tokenUrl: `${mock.url}/token`, clientId: 'public-app', authMethod: 'none' });
    await assert.rejects(other.resume(store, 'mine'), (e) => e instanceof TransportError && /belongs to client "client_id"/.test(e.message));
    const elsewhere = await createClient({ tokenUrl: 'http://127.0.0.1:1/token', clientId: 'client_id', clientSecret: 'client_secret' });
    await assert.rejects(elsewhere.resume(store, 'mine'), /came from token endpoint/);
    await assert.rejects(c.resume(store, 'nobody'), (e) => e.reason === 'not_saved');
    assert.throws(() => c.session({ accessToken: 'x' }, { store: {}, name: 'n' }), /load, save and delete/);
    for (const x of [c, other, elsewhere]) x.close();
  });

  it('a failed save fails the refresh but keeps the new token, and save() retries', async () => {
    const real = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir: await tempDir(), platform: 'linux' });
    let broken = false;
    const store = { ...real, save: (n, r) => (broken ? Promise.reject(new Error('disk full')) : real.save(n, r)) };
    const c = await client();
    const session = c.session(await c.passwordGrant(USER), { store, name: 'work' });
    await session.saved;
    broken = true;
    await new Promise((r) => setTimeout(r, 1200));
    await assert.rejects(session.accessToken(), (e) => e.reason === 'store' && /disk full/.test(e.message));
    const held = session.token.accessToken;
    assert.equal(await session.accessToken(), held, 'the refreshed token is held');
    broken = false;
    await session.save();
    assert.equal(JSON.parse(await real.load('work')).access_token, held);
    c.close();
  });
});

describe('DPoP sessions: the record names the key, the app keeps the key', () => {
  const dpopClient = (dpop) => createClient({ tokenUrl: `${mock.url}/token`, clientId: 'dpop', authMethod: 'none', dpop });
  const newPair = (extractable) => globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']);

  for (const extractable of [false, true]) {
    it(`saves the thumbprint only, and resumes with the same key pair (${extractable ? 'extractable' : 'non-extractable'} key)`, async () => {
      const dir = await tempDir();
      const store = await createSafeStorageStore({ safeStorage: testSafeStorage(), dir, platform: 'linux' });
      const keyPair = await newPair(extractable);
      const first = await dpopClient({ keyPair });
      const token = await first.passwordGrant(USER);
      assert.equal(token.tokenType, 'DPoP');
      await first.session(token, { store, name: 'bound' }).saved;
      const record = JSON.parse(await store.load('bound'));
      assert.equal(record.dpop_jkt, first.dpopThumbprint, 'the record names the key the token is bound to');
      assert.equal(record.dpop_jwk, undefined, 'no private key in the record');
      if (extractable) {
        const { d } = await globalThis.crypto.subtle.exportKey('jwk', keyPair.privateKey);
        assert.ok(!(await store.load('bound')).includes(d), 'the private key is never written');
        for (const f of await readdir(dir)) assert.ok(!(await readFile(join(dir, f), 'latin1')).includes(d));
      }
      first.close();

      // After a restart the app passes the same CryptoKeyPair (kept in IndexedDB, say).
      const again = await dpopClient({ keyPair });
      const resumed = await again.resume(store, 'bound');
      const res = await resumed.fetch(`${mock.url}/userinfo`);
      assert.equal(res.status, 200);
      await new Promise((r) => setTimeout(r, 1200)); // stale: the refresh proves possession of the same key
      const fresh = await resumed.accessToken();
      assert.notEqual(fresh, token.accessToken);
      const saved = JSON.parse(await store.load('bound'));
      assert.equal(saved.access_token, fresh);
      assert.equal(saved.dpop_jkt, first.dpopThumbprint, 'the refreshed token stays bound to the key');

      // Another key, or none: refused before any request, naming the problem.
      const other = await dpopClient({ keyPair: await newPair(false) });
      await assert.rejects(other.resume(store, 'bound'), (e) => e instanceof TransportError &&
        e.message.includes(`bound to DPoP key ${first.dpopThumbprint}, not to this client's key ${other.dpopThumbprint}`));
      const plain = await dpopClient(false);
      await assert.rejects(plain.resume(store, 'bound'), (e) => e instanceof TransportError && /this client has no DPoP key/.test(e.message));
      for (const c of [again, other, plain]) c.close();
    });
  }
});
