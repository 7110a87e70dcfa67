// The examples, run against a real ropc-mock: the Node script as a child
// process, the Electron main-process logic (auth.mjs) in-process with Node's
// fetch standing in for net.fetch (both are WHATWG fetch).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CONFIG, startMock, totp } from './mock.mjs';

const signin = fileURLToPath(new URL('../../examples/node/signin.mjs', import.meta.url));

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

function runSignin(env, args = []) {
  return new Promise((resolve) => {
    execFile(process.execPath, [signin, ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

describe('examples/node/signin.mjs', () => {
  it('signs in, calls userinfo, refreshes and revokes', async () => {
    const { code, stdout, stderr } = await runSignin({ ROPC_ISSUER: mock.issuer, ROPC_PASSWORD: 'A3ddj3w' }, ['johndoe']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /signed in as johndoe: Bearer token, scope "read write"/);
    assert.match(stdout, /userinfo: HTTP 200 .*"sub":"johndoe"/);
    assert.match(stdout, /refreshed/);
    assert.match(stdout, /active=false/);
    assert.ok(!stdout.includes('A3ddj3w') && !stdout.includes('client_secret'));
    assert.ok(!/eyJ[\w-]+\.eyJ/.test(stdout), 'no JWT printed');
  });

  it('refreshes with the session\'s refresh token after the session refreshed', async () => {
    // Access tokens live 1 s and /userinfo answers 1.5 s late: the server
    // finds the token expired (401 invalid_token), the session refreshes and
    // retries, and the script must go on with the rotated refresh token.
    const short = await startMock({ config: { ...CONFIG, access_token_ttl: '1s' } });
    try {
      await short.addFault({ match: { path: '/userinfo' }, times: 1, delay: '1500ms' });
      const { code, stdout, stderr } = await runSignin({ ROPC_ISSUER: short.issuer, ROPC_PASSWORD: 'A3ddj3w' }, ['johndoe']);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /token refreshed/);
      assert.match(stdout, /userinfo: HTTP 200/);
      assert.match(stdout, /active=false/);
    } finally {
      await short.stop();
    }
  });

  it('exits 1 with a clear message on a wrong password', async () => {
    const { code, stdout, stderr } = await runSignin({ ROPC_ISSUER: mock.issuer, ROPC_PASSWORD: 'not-it-at-all' }, ['mallory']);
    assert.equal(code, 1);
    assert.match(stderr, /wrong username or password \(invalid_grant\)/);
    assert.ok(!(stdout + stderr).includes('not-it-at-all'));
  });

  it('finishes a sign-in that needs a one-time code, and names a wrong one', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const mfa = await startMock({ config: { ...CONFIG, profile: 'auth0', users: [...CONFIG.users,
      { username: 'ann', password: 'Pr0file-Passw0rd', mfa: { type: 'totp', secret } },
      { username: 'bea', password: 'Pr0file-Passw0rd', mfa: { type: 'totp', secret } }] } });
    try {
      const code = await totp(secret);
      let r = await runSignin({ ROPC_ISSUER: `${mfa.url}/`, ROPC_PASSWORD: 'Pr0file-Passw0rd', ROPC_OTP: code }, ['ann']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /signed in as ann/);
      r = await runSignin({ ROPC_ISSUER: `${mfa.url}/`, ROPC_PASSWORD: 'Pr0file-Passw0rd', ROPC_OTP: code === '000000' ? '111111' : '000000' }, ['bea']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /wrong one-time code/);
    } finally {
      await mfa.stop();
    }
  });

  it('refuses to run without a terminal or ROPC_PASSWORD', async () => {
    const { code, stderr } = await runSignin({ ROPC_ISSUER: mock.issuer });
    assert.equal(code, 1);
    assert.match(stderr, /ROPC_PASSWORD/);
  });
});

describe('examples/electron main-process logic (auth.mjs)', () => {
  let createAuthService;
  before(async () => { ({ createAuthService } = await import('../../examples/electron/auth.mjs')); });

  it('signs in, shows only a summary, calls userinfo and signs out with revocation', async () => {
    const changes = [];
    const auth = await createAuthService({
      issuer: mock.issuer, clientId: 'client_id', clientSecret: 'client_secret', fetch: globalThis.fetch,
      onTokenChange: (t) => changes.push(t),
    });
    assert.deepEqual(await auth.status(), { signedIn: false });
    const state = await auth.signIn('johndoe', 'A3ddj3w');
    assert.equal(state.signedIn, true);
    assert.equal(state.username, 'johndoe');
    assert.equal(state.scope, 'read');
    assert.ok(!JSON.stringify(state).includes(changes[0].accessToken), 'no token crosses to the renderer');
    const who = await auth.userinfo();
    assert.equal(who.status, 200);
    assert.equal(who.claims.sub, 'johndoe');
    const refreshToken = changes[0].refreshToken;
    assert.deepEqual(await auth.signOut(), { signedIn: false });
    assert.equal(changes.at(-1), null);
    // Signing out revoked the grant on the server.
    const { createClient } = await import('ropc');
    const client = await createClient({ issuer: mock.issuer, clientId: 'client_id', clientSecret: 'client_secret' });
    assert.equal((await client.introspect(refreshToken)).active, false);
    auth.close();
  });

  it('keeps the session in a safeStorage store across restarts and forgets it on sign-out', async () => {
    const { createSafeStorageStore } = await import('ropc/electron');
    const dir = await mkdtemp(join(tmpdir(), 'ropc-example-store-'));
    try {
      // Electron's safeStorage stands in as a reversible cipher: the example's logic, not the OS key, is under test here.
      const safeStorage = {
        isEncryptionAvailable: () => true,
        encryptString: (s) => Buffer.from(s, 'utf8').reverse(),
        decryptString: (b) => Buffer.from(b).reverse().toString('utf8'),
        getSelectedStorageBackend: () => 'gnome_libsecret',
      };
      const store = await createSafeStorageStore({ safeStorage, dir, platform: 'linux' });
      const options = { issuer: mock.issuer, clientId: 'client_id', clientSecret: 'client_secret', fetch: globalThis.fetch, store };
      const first = await createAuthService(options);
      assert.equal((await first.signIn('johndoe', 'A3ddj3w')).signedIn, true);
      first.close();
      const second = await createAuthService(options); // the app started again
      assert.equal((await second.status()).signedIn, true);
      assert.equal((await second.userinfo()).claims.sub, 'johndoe');
      await second.signOut();
      assert.equal(await store.load('default'), null);
      second.close();
      const third = await createAuthService(options);
      assert.equal((await third.status()).signedIn, false);
      third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('maps failures to messages for people', async () => {
    const auth = await createAuthService({ issuer: mock.issuer, clientId: 'client_id', clientSecret: 'nope', fetch: globalThis.fetch });
    const cases = [
      { user: 'johndoe', password: 'A3ddj3w', error: /not registered.*invalid_client/ },
      { user: '', password: 'x', error: /Enter a username/ },
    ];
    for (const tc of cases) {
      const state = await auth.signIn(tc.user, tc.password);
      assert.equal(state.signedIn, false);
      assert.match(state.error, tc.error);
    }
    const good = await createAuthService({ issuer: mock.issuer, clientId: 'client_id', clientSecret: 'client_secret', fetch: globalThis.fetch });
    assert.match((await good.signIn('mallory', 'bad-pass-word')).error, /Wrong username or password/);
    assert.match((await good.userinfo()).error, /Not signed in/);
  });
});
