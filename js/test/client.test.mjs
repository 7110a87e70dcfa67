// Node tests of the ropc package against a real ropc-mock over loopback.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';

import { OAuthError, TransportError, createClient } from 'ropc';
import { startMock } from './mock.mjs';

const USER = { username: 'johndoe', password: 'A3ddj3w' };
const CLIENT = { clientId: 'client_id', clientSecret: 'client_secret' };
const SECRETS = [USER.password, CLIENT.clientSecret, 'Corr3ct-Horse', 'wrong-password-value', 'wrong-secret-value'];

function assertNoSecret(text, extra = []) {
  for (const s of [...SECRETS, ...extra]) {
    if (s) assert.ok(!String(text).includes(s), `message leaks a secret: ${text}`);
  }
}

/** A fetch that counts the requests it sends, by path. */
function countingFetch() {
  const counts = {};
  const f = (input, init) => {
    const path = new URL(typeof input === 'string' ? input : input.url ?? String(input)).pathname;
    const body = typeof init?.body === 'string' ? new URLSearchParams(init.body) : null;
    const key = body?.get('grant_type') ? `${path}:${body.get('grant_type')}` : path;
    counts[key] = (counts[key] ?? 0) + 1;
    return fetch(input, init);
  };
  return { fetch: f, counts };
}

let mock;
before(async () => { mock = await startMock(); });
after(async () => { await mock?.stop(); });

describe('passwordGrant', () => {
  it('returns a token in the documented shape', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const before = Date.now();
    const token = await client.passwordGrant({ ...USER, scope: 'read write' });
    assert.equal(typeof token.accessToken, 'string');
    assert.ok(token.accessToken.length > 10);
    assert.equal(token.tokenType, 'Bearer');
    assert.equal(typeof token.expiresIn, 'number');
    assert.ok(token.expiresIn > 0);
    assert.ok(token.expiresAt >= before + token.expiresIn * 1000 - 2000 && token.expiresAt <= Date.now() + token.expiresIn * 1000 + 2000);
    assert.equal(typeof token.refreshToken, 'string');
    assert.equal(token.scope, 'read write');
    assert.equal(token.raw.access_token, token.accessToken);
    assert.deepEqual(Object.keys(token).sort(), ['accessToken', 'expiresAt', 'expiresIn', 'raw', 'refreshToken', 'scope', 'tokenType']);
    // JSON round trip keeps every field (for storage).
    assert.deepEqual(JSON.parse(JSON.stringify(token)), { ...token });
    client.close();
  });

  const scopes = [
    { name: 'array scope', scope: ['read'], want: 'read' },
    { name: 'string scope', scope: 'write read', want: 'write read' },
    { name: 'no scope: the client default', scope: undefined, want: null },
  ];
  for (const tc of scopes) {
    it(`sends ${tc.name}`, async () => {
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
      const token = await client.passwordGrant({ ...USER, scope: tc.scope });
      if (tc.want) assert.deepEqual(token.scope.split(' ').sort(), tc.want.split(' ').sort());
      else assert.ok(token.scope.length > 0, 'granted scope is reported');
    });
  }

  const methods = [
    { name: 'client_secret_basic', opts: { ...CLIENT, authMethod: 'client_secret_basic' } },
    { name: 'client_secret_post', opts: { ...CLIENT, authMethod: 'client_secret_post' } },
    { name: 'none (public client)', opts: { clientId: 'public-app', authMethod: 'none' }, scope: 'read' },
  ];
  for (const tc of methods) {
    it(`authenticates with ${tc.name}`, async () => {
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...tc.opts });
      const token = await client.passwordGrant({ ...USER, scope: tc.scope ?? 'read' });
      assert.ok(token.accessToken);
    });
  }

  it('discovers the endpoints from the issuer (RFC 8414)', async () => {
    const client = await createClient({ issuer: mock.issuer, ...CLIENT });
    const meta = await client.discover();
    assert.equal(meta.issuer, mock.issuer);
    assert.equal(meta.tokenEndpoint, mock.tokenUrl);
    const token = await client.passwordGrant(USER);
    assert.ok(token.accessToken);
  });
});

describe('refresh, revoke, introspect', () => {
  it('refreshes and rotates the refresh token', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const first = await client.passwordGrant({ ...USER, scope: 'read write' });
    const second = await client.refresh(first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(typeof second.refreshToken, 'string');
    // RFC 6749 §6: narrowing the scope on refresh.
    const third = await client.refresh(second.refreshToken, { scope: ['read'] });
    assert.equal(third.scope, 'read');
    // RFC 9700 §4.14.2: a rotated refresh token is refused on reuse.
    if (second.refreshToken !== first.refreshToken) {
      await assert.rejects(client.refresh(first.refreshToken), (e) => e instanceof OAuthError && e.code === 'invalid_grant');
    }
  });

  it('introspects an active token and revokes it', async () => {
    const client = await createClient({ issuer: mock.issuer, ...CLIENT });
    const token = await client.passwordGrant({ ...USER, scope: 'read' });
    const active = await client.introspect(token.accessToken);
    assert.equal(active.active, true);
    assert.equal(active.scope, 'read');
    assert.equal(active.clientId, 'client_id');
    assert.equal(await client.revoke(token.refreshToken, { hint: 'refresh_token' }), undefined);
    // RFC 7009 §2.1: revoking the refresh token invalidates it (and its access tokens).
    await assert.rejects(client.refresh(token.refreshToken), (e) => e instanceof OAuthError && e.code === 'invalid_grant');
    const inactive = await client.introspect(token.refreshToken, { hint: 'refresh_token' });
    assert.equal(inactive.active, false);
  });

  it('introspects garbage as inactive', async () => {
    const client = await createClient({ issuer: mock.issuer, ...CLIENT });
    assert.equal((await client.introspect('not-a-token')).active, false);
  });

  it('refuses revoke without an endpoint', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.revoke('x'), (e) => e instanceof TransportError && e.reason === 'invalid_input');
  });

  it('uses explicit revocation and introspection URLs', async () => {
    const client = await createClient({
      tokenUrl: mock.tokenUrl, revocationUrl: `${mock.url}/revoke`, introspectionUrl: `${mock.url}/introspect`, ...CLIENT,
    });
    const token = await client.passwordGrant(USER);
    assert.equal((await client.introspect(token.accessToken)).active, true);
    await client.revoke(token.accessToken, { hint: 'access_token' });
  });
});

describe('OAuth errors from the mock', () => {
  const cases = [
    { name: 'wrong password', client: CLIENT, grant: { username: 'mallory', password: 'wrong-password-value' }, code: 'invalid_grant', status: 400 },
    { name: 'unknown user', client: CLIENT, grant: { username: 'nobody', password: 'wrong-password-value' }, code: 'invalid_grant', status: 400 },
    { name: 'wrong client secret (Basic)', client: { clientId: 'client_id', clientSecret: 'wrong-secret-value' }, grant: USER, code: 'invalid_client', status: 401 },
    { name: 'unknown client (post)', client: { clientId: 'who', clientSecret: 'wrong-secret-value', authMethod: 'client_secret_post' }, grant: USER, code: 'invalid_client' },
    { name: 'scope beyond the client', client: CLIENT, grant: { ...USER, scope: 'admin' }, code: 'invalid_scope', status: 400 },
    { name: 'public client asking for a confidential scope', client: { clientId: 'public-app', authMethod: 'none' }, grant: { ...USER, scope: 'write' }, code: 'invalid_scope' },
  ];
  for (const tc of cases) {
    it(`${tc.name} -> ${tc.code}`, async () => {
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...tc.client });
      await assert.rejects(client.passwordGrant(tc.grant), (e) => {
        assert.ok(e instanceof OAuthError, `${e.name}: ${e.message}`);
        assert.equal(e.name, 'OAuthError');
        assert.equal(e.code, tc.code);
        if (tc.status) assert.equal(e.status, tc.status);
        assert.equal(typeof e.description, 'string');
        assert.equal(typeof e.uri, 'string');
        assertNoSecret(e.message);
        assertNoSecret(e.stack);
        return true;
      });
    });
  }

  // The messages quote the Content-Type, which the server controls (the
  // malformed-answer message quotes only its media type, core's choice).
  const echoes = [
    { name: 'a non-OAuth status', status: 502, body: '<html>bad gateway</html>', reason: 'http_status', redacted: true },
    { name: 'a malformed answer', status: 200, body: '{"access_token":', reason: 'malformed', redacted: false },
  ];
  for (const tc of echoes) {
    it(`scrubs secrets echoed in the Content-Type of ${tc.name}`, async () => {
      const type = `text/html; p=${USER.password}; s=${CLIENT.clientSecret}`;
      const fetch = async () => new Response(tc.body, { status: tc.status, headers: { 'content-type': type } });
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch });
      await assert.rejects(client.passwordGrant(USER), (e) => {
        assert.ok(e instanceof TransportError, `${e.name}: ${e.message}`);
        assert.equal(e.reason, tc.reason);
        if (tc.redacted) assert.match(e.message, /\[redacted\]/);
        assertNoSecret(e.message);
        assertNoSecret(e.contentType);
        return true;
      });
    });
  }

  it('bad refresh token -> invalid_grant', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.refresh('not-a-refresh-token'), (e) => e instanceof OAuthError && e.code === 'invalid_grant');
  });

  it('refuses bad input before sending (core validation)', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: f });
    await assert.rejects(client.passwordGrant({ username: '', password: 'x' }), (e) => e instanceof TransportError && e.reason === 'invalid_input');
    await assert.rejects(client.passwordGrant({ ...USER, params: { grant_type: 'client_credentials' } }),
      (e) => e instanceof TransportError && e.reason === 'invalid_input' && /grant_type/.test(e.message));
    assert.deepEqual(counts, {});
  });
});

describe('transport rules', () => {
  it('requires https except for loopback', async () => {
    await assert.rejects(createClient({ tokenUrl: 'http://as.example/token', ...CLIENT }),
      (e) => e instanceof TransportError && e.reason === 'insecure_url');
    for (const url of ['https://as.example/token', 'http://localhost:1/token', 'http://127.0.0.1:1/token', 'http://[::1]:1/token']) {
      await createClient({ tokenUrl: url, ...CLIENT });
    }
    await createClient({ tokenUrl: 'http://as.example/token', allowInsecureHttp: true, ...CLIENT });
  });

  it('validates its options', async () => {
    await assert.rejects(createClient({}), (e) => e instanceof TransportError && e.reason === 'invalid_input');
    await assert.rejects(createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', authMethod: 'private_key_jwt' }), TransportError);
    await assert.rejects(createClient({ tokenUrl: 'not a url', clientId: 'client_id' }), TransportError);
    // RFC 6749 §3.2.1: a client, a public one too, always sends its client id (core.CheckClientConfig, as in Go).
    for (const opts of [{ tokenUrl: mock.tokenUrl }, { tokenUrl: mock.tokenUrl, clientId: '' }, { tokenUrl: mock.tokenUrl, clientSecret: 'client_secret' }]) {
      await assert.rejects(createClient(opts), (e) => e instanceof TransportError && e.reason === 'invalid_input' &&
        /^ropc: createClient needs clientId: a client always identifies itself/.test(e.message), JSON.stringify(opts));
    }
  });

  it('reports a refused connection as a network error', async () => {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    });
    const client = await createClient({ tokenUrl: `http://127.0.0.1:${port}/token`, ...CLIENT });
    await assert.rejects(client.passwordGrant(USER), (e) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.reason, 'network');
      assert.match(e.message, /127\.0\.0\.1/);
      assertNoSecret(e.message);
      return true;
    });
  });

  it('times out on a server that never answers', async () => {
    const sockets = [];
    const server = createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const client = await createClient({ tokenUrl: `http://127.0.0.1:${server.address().port}/token`, ...CLIENT, timeoutMs: 200 });
      const t0 = Date.now();
      await assert.rejects(client.passwordGrant(USER), (e) => e instanceof TransportError && e.reason === 'timeout' && /200 ms/.test(e.message));
      // Waited for timeoutMs, not forever; the upper bound is far above any load, not a speed check.
      const took = Date.now() - t0;
      assert.ok(took >= 190 && took < 10_000, `took ${took} ms`);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });

  // options.fetch can be any function: the timeout and close() must not rely
  // on it honouring the abort signal.
  const deafFetches = [
    { name: 'never answers', fetch: () => new Promise(() => {}) },
    { name: 'answers with a body that never ends', fetch: async () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) })) },
  ];
  for (const tc of deafFetches) {
    it(`times out with a fetch that ignores the abort signal and ${tc.name}`, async () => {
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: tc.fetch, timeoutMs: 150 });
      const t0 = Date.now();
      await assert.rejects(client.passwordGrant(USER), (e) => e instanceof TransportError && e.reason === 'timeout');
      const took = Date.now() - t0;
      assert.ok(took >= 140 && took < 10_000, `took ${took} ms`);
    });

    it(`close() stops a request whose fetch ignores the abort signal and ${tc.name}`, async () => {
      let called;
      const fetched = new Promise((r) => { called = r; });
      const fetch = (...args) => { called(); return tc.fetch(...args); };
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch, timeoutMs: 60_000 });
      const pending = client.passwordGrant(USER);
      await fetched; // the request is in flight, inside fetch
      client.close();
      await assert.rejects(pending, (e) => e instanceof TransportError && e.reason === 'closed');
    });
  }

  it('counts the decompressed bytes of a compressed answer (gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20, 0x20)); // 8 MiB of spaces, ~8 KB compressed
    const server = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
      res.end(bomb);
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const client = await createClient({ tokenUrl: `http://127.0.0.1:${server.address().port}/token`, ...CLIENT });
      await assert.rejects(client.passwordGrant(USER), (e) => e instanceof TransportError && e.reason === 'too_large');
    } finally {
      server.close();
    }
  });

  it('close() cancels requests in flight and refuses new ones', async () => {
    const sockets = [];
    let connected;
    const connection = new Promise((r) => { connected = r; });
    const server = createServer((s) => { sockets.push(s); connected(); }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const client = await createClient({ tokenUrl: `http://127.0.0.1:${server.address().port}/token`, ...CLIENT });
      const pending = client.passwordGrant(USER);
      await connection; // the request is in flight: the server has its connection
      client.close();
      await assert.rejects(pending, (e) => e instanceof TransportError && e.reason === 'closed');
      await assert.rejects(client.passwordGrant(USER), (e) => e instanceof TransportError && e.reason === 'closed');
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });

  it('keeps secrets out of console output', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const token = await client.passwordGrant(USER);
    const shown = inspect(client, { depth: 10, showHidden: true }) + inspect(token, { depth: 10 });
    assertNoSecret(shown, [token.accessToken, token.refreshToken]);
    assert.match(inspect(token), /redacted/);
  });
});

const session0 = (token) => ({ ...token, expiresAt: Date.now() - 1000 });

describe('session', () => {
  it('refreshes once for many concurrent callers', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: f });
    const token = await client.passwordGrant(USER);
    const changes = [];
    const expired = { ...token, expiresAt: Date.now() - 1000 };
    const session = client.session(expired, { onTokenChange: (t) => changes.push(t) });
    await mock.clearRequests();
    const got = await Promise.all(Array.from({ length: 20 }, () => session.accessToken()));
    assert.equal(counts['/token:refresh_token'], 1, JSON.stringify(counts));
    assert.equal(new Set(got).size, 1);
    assert.notEqual(got[0], token.accessToken);
    assert.equal(changes.length, 1);
    assert.equal(changes[0].accessToken, got[0]);
    assert.equal(session.token.accessToken, got[0]);
    const refreshes = (await mock.requests()).filter((r) => r.grant_type === 'refresh_token');
    assert.equal(refreshes.length, 1, 'the mock saw exactly one refresh');
    // Fresh now: no further refresh.
    await session.accessToken();
    assert.equal(counts['/token:refresh_token'], 1);
  });

  it('refreshes within marginMs of expiry, not before', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: f });
    const token = await client.passwordGrant(USER);
    const soon = { ...token, expiresAt: Date.now() + 30_000 };
    assert.equal(await client.session(soon, { marginMs: 10_000 }).accessToken(), token.accessToken);
    assert.equal(counts['/token:refresh_token'], undefined);
    assert.notEqual(await client.session(soon, { marginMs: 60_000 }).accessToken(), token.accessToken);
    assert.equal(counts['/token:refresh_token'], 1);
  });

  it('caps the margin at half the lifetime of a short-lived token', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: f });
    const token = await client.passwordGrant(USER);
    // Lives 30 s, 20 s left: with a 60 s margin it would refresh on every call.
    const short = { ...token, expiresIn: 30, expiresAt: Date.now() + 20_000 };
    assert.equal(await client.session(short, { marginMs: 60_000 }).accessToken(), token.accessToken);
    const late = { ...token, expiresIn: 30, expiresAt: Date.now() + 10_000 };
    assert.notEqual(await client.session(late, { marginMs: 60_000 }).accessToken(), token.accessToken);
    assert.equal(counts['/token:refresh_token'], 1);
  });

  it('fetch adds the bearer token and retries once after invalid_token', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ issuer: mock.issuer, ...CLIENT, fetch: f });
    const token = await client.passwordGrant(USER);
    const session = client.session(token);
    const ok = await session.fetch(`${mock.url}/userinfo`);
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).sub !== undefined, true);
    assert.equal(counts['/token:refresh_token'], undefined);

    // The server refuses the access token: one refresh, one retry.
    const broken = client.session({ ...token, accessToken: 'revoked-or-garbage' });
    const retried = await broken.fetch(new Request(`${mock.url}/userinfo`));
    assert.equal(retried.status, 200);
    assert.equal(counts['/token:refresh_token'], 1);
    assert.equal(counts['/userinfo'], 3);
  });

  it('concurrent fetches refused with invalid_token share one refresh', async () => {
    const { fetch: f, counts } = countingFetch();
    const client = await createClient({ issuer: mock.issuer, ...CLIENT, fetch: f });
    const token = await client.passwordGrant(USER);
    const changes = [];
    const session = client.session({ ...token, accessToken: 'refused-by-the-server' }, { onTokenChange: (t) => changes.push(t) });
    const results = await Promise.all(Array.from({ length: 10 }, () => session.fetch(`${mock.url}/userinfo`)));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(200));
    assert.equal(counts['/token:refresh_token'], 1, JSON.stringify(counts));
    assert.equal(changes.length, 1);
  });

  it('fetch passes a URL object on as a string (Electron\'s net.fetch takes no URL)', async () => {
    const inputs = [];
    const stringsOrRequests = (input, init) => {
      inputs.push(input);
      if (input instanceof URL) return Promise.reject(new TypeError('net.fetch: URL objects are not supported'));
      return fetch(input, init);
    };
    const client = await createClient({ issuer: mock.issuer, ...CLIENT, fetch: stringsOrRequests });
    const session = client.session(await client.passwordGrant(USER));
    const res = await session.fetch(new URL(`${mock.url}/userinfo`));
    assert.equal(res.status, 200);
    assert.equal(inputs.at(-1), `${mock.url}/userinfo`);
  });

  it('a failing onTokenChange does not fail the refresh', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const token = await client.passwordGrant(USER);
    for (const onTokenChange of [() => { throw new Error('disk full'); }, async () => { throw new Error('disk full'); }]) {
      const session = client.session({ ...session0(token) }, { onTokenChange });
      assert.notEqual(await session.accessToken(), token.accessToken);
      token.refreshToken = session.token.refreshToken; // rotated
    }
  });

  it('without a refresh token an expired session says to sign in again', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const token = await client.passwordGrant(USER);
    const session = client.session({ ...token, refreshToken: null, expiresAt: Date.now() - 1 });
    await assert.rejects(session.accessToken(), (e) => e instanceof TransportError && e.reason === 'sign_in_again');
  });

  it('a revoked refresh token means sign in again, with invalid_grant as the cause, for every waiter', async () => {
    const client = await createClient({ issuer: mock.issuer, ...CLIENT });
    const token = await client.passwordGrant(USER);
    await client.revoke(token.refreshToken, { hint: 'refresh_token' });
    const session = client.session({ ...token, expiresAt: Date.now() - 1 });
    const results = await Promise.allSettled([session.accessToken(), session.accessToken()]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal(r.reason.reason, 'sign_in_again');
      assert.equal(r.reason.cause.code, 'invalid_grant');
    }
  });
});
