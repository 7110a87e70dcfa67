// Headless Chromium: a page from another loopback origin loads the package
// (ropc.wasm included) and talks to the mock across origins (CORS). This is
// also the Electron renderer's runtime (contextIsolation, no Node).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launch, skip, startStatic } from './chromium.mjs';
import { CONFIG, DPOP_CONFIG, startMock, totp } from './mock.mjs';

if (skip) console.log(skip);
const test = (name, fn) => it(name, { skip }, fn);

const ROOTS = {
  '/ropc/': fileURLToPath(new URL('../', import.meta.url)),
  '/electron/': fileURLToPath(new URL('../../examples/electron/', import.meta.url)),
};

const MFA_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('headless Chromium', () => {
  let mock; let site; let oddSite; let browser; let context; let oktaMock;

  before(async () => {
    if (skip) return;
    mock = await startMock({ config: DPOP_CONFIG });
    oktaMock = await startMock({ config: { ...CONFIG, profile: 'okta', users: [...CONFIG.users,
      { username: 'ann', password: 'Pr0file-Passw0rd', mfa: { type: 'totp', secret: MFA_SECRET } },
      { username: 'bea', password: 'Pr0file-Passw0rd', mfa: { type: 'totp', secret: MFA_SECRET } }] } });
    site = await startStatic(ROOTS);
    oddSite = await startStatic(ROOTS, { wasmType: 'application/octet-stream' });
    browser = await launch();
    ({ context } = browser);
  });

  after(async () => {
    await browser?.close();
    site?.close();
    oddSite?.close();
    await mock?.stop();
    await oktaMock?.stop();
  });

  // The page origin is localhost:<site port>; the mock is 127.0.0.1:<mock port>.
  async function openPage(server = site) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${server.address().port}/`);
    return { page, errors };
  }

  test('gets, refreshes and introspects a token from a page on another origin', async () => {
    const { page, errors } = await openPage();
    const out = await page.evaluate(async ({ issuer }) => {
      const { createClient } = await import('/ropc/index.js');
      const client = await createClient({ issuer, clientId: 'client_id', clientSecret: 'client_secret' });
      const token = await client.passwordGrant({ username: 'johndoe', password: 'A3ddj3w', scope: ['read', 'write'] });
      const next = await client.refresh(token.refreshToken);
      const info = await client.introspect(next.accessToken);
      const session = client.session(next);
      const me = await session.fetch(`${issuer}/userinfo`);
      // WWW-Authenticate must be readable across origins (CORS expose) for
      // the invalid_token retry: a refused token is refreshed once.
      let changes = 0;
      const broken = client.session({ ...next, accessToken: 'garbage' }, { onTokenChange: () => { changes += 1; } });
      const retried = await broken.fetch(new Request(`${issuer}/userinfo`));
      return {
        origin: location.origin, tokenType: token.tokenType, scope: token.scope, hasAT: token.accessToken.length > 0,
        rotated: next.refreshToken !== token.refreshToken, active: info.active, userinfo: me.status,
        retried: retried.status, changes,
      };
    }, { issuer: mock.issuer });
    assert.notEqual(new URL(out.origin).origin, new URL(mock.url).origin);
    assert.deepEqual(out, { ...out, tokenType: 'Bearer', scope: 'read write', hasAT: true, active: true, userinfo: 200, retried: 200, changes: 1 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  // RFC 9449 across origins: the DPoP request header must pass the CORS
  // preflight and the DPoP-Nonce answer header must be readable.
  test('DPoP: a non-extractable WebCrypto key, nonce challenges, refresh and /userinfo', async () => {
    await mock.clearRequests();
    await mock.addFault({ match: { path: '/userinfo' }, error: 'use_dpop_nonce', times: 1 });
    const { page, errors } = await openPage();
    const out = await page.evaluate(async ({ tokenUrl, issuer }) => {
      const { createClient } = await import('/ropc/index.js');
      // The app's own key, kept in IndexedDB (a CryptoKey is structured-cloneable; non-extractable stays so).
      const made = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open('ropc-dpop-test', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('keys');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const idb = (mode, f) => new Promise((resolve, reject) => {
        const r = f(db.transaction('keys', mode).objectStore('keys'));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      await idb('readwrite', (s) => s.put(made, 'dpop'));
      const keyPair = await idb('readonly', (s) => s.get('dpop'));
      let exported = 'exported';
      try { await crypto.subtle.exportKey('jwk', keyPair.privateKey); } catch { exported = 'refused'; }

      const client = await createClient({ tokenUrl, clientId: 'dpop-nonce', authMethod: 'none', dpop: { keyPair } });
      const token = await client.passwordGrant({ username: 'johndoe', password: 'A3ddj3w' });
      const next = await client.refresh(token.refreshToken);
      const me = await client.session(next).fetch(`${issuer}/userinfo`);
      const generated = await createClient({ tokenUrl, clientId: 'dpop', authMethod: 'none', dpop: true });
      const other = await generated.passwordGrant({ username: 'johndoe', password: 'A3ddj3w' });
      return {
        exported, tokenType: token.tokenType, refreshed: next.tokenType, userinfo: me.status, sub: (await me.json()).sub,
        generated: other.tokenType, differentKeys: generated.dpopThumbprint !== client.dpopThumbprint,
      };
    }, { tokenUrl: mock.tokenUrl, issuer: mock.issuer });
    assert.deepEqual(out, { exported: 'refused', tokenType: 'DPoP', refreshed: 'DPoP', userinfo: 200, sub: 'johndoe', generated: 'DPoP', differentKeys: true });
    assert.deepEqual(errors, []);
    const userinfo = (await mock.requests()).filter((e) => e.path === '/userinfo' && e.method === 'GET');
    assert.equal(userinfo.length, 2, 'the resource nonce challenge was answered once');
    assert.ok(userinfo.every((e) => e.dpop));
    await page.close();
  });

  test('reports OAuth errors with their code in the browser', async () => {
    const { page } = await openPage();
    const out = await page.evaluate(async ({ tokenUrl }) => {
      const { createClient, OAuthError } = await import('/ropc/index.js');
      const client = await createClient({ tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
      try {
        await client.passwordGrant({ username: 'mallory', password: 'not-the-password' });
        return { ok: true };
      } catch (e) {
        return { isOAuth: e instanceof OAuthError, name: e.name, code: e.code, status: e.status, leaks: e.message.includes('not-the-password') };
      }
    }, { tokenUrl: mock.tokenUrl });
    assert.deepEqual(out, { isOAuth: true, name: 'OAuthError', code: 'invalid_grant', status: 400, leaks: false });
    await page.close();
  });

  test('signs in with a second factor (Okta profile) and names a wrong code', async () => {
    const { page, errors } = await openPage();
    const code = await totp(MFA_SECRET);
    const wrong = code === '000000' ? '111111' : '000000';
    const out = await page.evaluate(async ({ tokenUrl, code, wrong }) => {
      const { createClient, OAuthError } = await import('/ropc/index.js');
      const client = await createClient({ tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
      const asked = [];
      const token = await client.signIn({ username: 'ann', password: 'Pr0file-Passw0rd', onChallenge: (c) => { asked.push(c.type); return code; } });
      let kind;
      try {
        await client.signIn({ username: 'bea', password: 'Pr0file-Passw0rd', onChallenge: () => wrong });
      } catch (e) {
        kind = e instanceof OAuthError ? e.kind : String(e);
      }
      return { signedIn: token.accessToken.length > 0, asked, kind };
    }, { tokenUrl: `${oktaMock.url}/oauth2/default/v1/token`, code, wrong });
    assert.deepEqual(out, { signedIn: true, asked: ['otp'], kind: 'mfa_invalid_code' });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('loads the module when the server sends the wrong MIME type (arrayBuffer fallback)', async () => {
    const { page } = await openPage(oddSite);
    const type = await page.evaluate(async ({ tokenUrl }) => {
      const { createClient } = await import('/ropc/index.js');
      const client = await createClient({ tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
      return (await client.passwordGrant({ username: 'johndoe', password: 'A3ddj3w' })).tokenType;
    }, { tokenUrl: mock.tokenUrl });
    assert.equal(type, 'Bearer');
    await page.close();
  });

  const faultCases = [
    { name: 'refuses a redirect on the token endpoint (opaqueredirect)', rule: { quirk: 'redirect', location: '/elsewhere' },
      want: 'TransportError:redirect:' },
    { name: 'reports an injected 503 temporarily_unavailable as an OAuthError', rule: { status: 503, error: 'temporarily_unavailable' },
      want: 'OAuthError:undefined:temporarily_unavailable' },
  ];
  // Fault answers carry the mock's CORS headers: without them the page would
  // see a bare network error (Fetch checks CORS before status or redirects).
  // The rules match a username, so the body-less CORS preflight passes them by.
  for (const tc of faultCases) {
    test(tc.name, async () => {
      const rule = { ...tc.rule };
      if (rule.location) rule.location = `${mock.url}${rule.location}`;
      await mock.addFault({ match: { path: '/token', username: 'johndoe' }, times: 1, ...rule });
      const { page } = await openPage();
      const out = await page.evaluate(async ({ tokenUrl }) => {
        const { createClient } = await import('/ropc/index.js');
        const client = await createClient({ tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
        try {
          await client.passwordGrant({ username: 'johndoe', password: 'A3ddj3w' });
          return 'no error';
        } catch (e) {
          return `${e.name}:${e.reason}:${e.code ?? ''}`;
        }
      }, { tokenUrl: mock.tokenUrl });
      assert.equal(out, tc.want);
      await page.close();
    });
  }

  test('runs the Electron renderer page with the bridge that preload.js exposes', async () => {
    const { page, errors } = await openPage();
    // Stand in for preload.js: same window.auth surface, backed by the
    // package in the page instead of IPC to the main process.
    await page.goto(`http://localhost:${site.address().port}/electron/index.html`);
    await page.evaluate(async ({ tokenUrl }) => {
      const { createClient } = await import('/ropc/index.js');
      const client = await createClient({ tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
      let token = null;
      window.auth = {
        signIn: async (username, password) => {
          token = await client.passwordGrant({ username, password, scope: 'read' });
          return { signedIn: true, username, scope: token.scope, expiresAt: token.expiresAt };
        },
        signOut: async () => { token = null; return { signedIn: false }; },
        status: async () => ({ signedIn: token !== null }),
      };
      window.dispatchEvent(new Event('auth-ready'));
    }, { tokenUrl: mock.tokenUrl });
    await page.fill('#username', 'johndoe');
    await page.fill('#password', 'A3ddj3w');
    await page.click('#sign-in');
    await page.waitForSelector('#status[data-state="signed-in"]', { timeout: 5000 });
    assert.match(await page.textContent('#status'), /johndoe/);
    assert.equal(await page.inputValue('#password'), '', 'the password is not left in the page');
    await page.click('#sign-out');
    await page.waitForSelector('#status[data-state="signed-out"]', { timeout: 5000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
