// Each fault and quirk of the mock's admin API, seen through the JS
// client; a quirk the mock knows and no test here covers fails the run.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { OAuthError, TransportError, createClient } from 'ropc';
import { startMock } from './mock.mjs';

const USER = { username: 'alice', password: 'W0nderland!' };
const CLIENT = { clientId: 'client_id', clientSecret: 'client_secret' };
let mock;
before(async () => { mock = await startMock({ admin: true }); });
after(async () => { await mock?.stop(); });

/** Quirks exercised below, checked at the end against the list the mock itself knows. */
const covered = new Set();
const addFault = (rule) => {
  if (rule.quirk) covered.add(rule.quirk);
  return mock.addFault(rule);
};
const test = it;

const isOAuth = (code, status) => (e) => {
  assert.ok(e instanceof OAuthError, `${e.name}: ${e.message}`);
  assert.equal(e.code, code);
  if (status !== undefined) assert.equal(e.status, status);
  return true;
};
const isTransport = (reason, status) => (e) => {
  assert.ok(e instanceof TransportError, `${e.name}: ${e.message}`);
  assert.equal(e.reason, reason, e.message);
  if (status !== undefined) assert.equal(e.status, status);
  assert.ok(!e.message.includes(USER.password) && !e.message.includes(CLIENT.clientSecret));
  return true;
};

describe('fault quirks on the token endpoint', () => {
  beforeEach(async () => { await mock.clearFaults(); });

  const grantCases = [
    { quirk: 'expires_in_string', check: (t) => { assert.equal(typeof t.expiresIn, 'number'); assert.ok(t.expiresAt > Date.now()); } },
    { quirk: 'expires_in_missing', check: (t) => { assert.equal(t.expiresIn, null); assert.equal(t.expiresAt, null); } },
    { quirk: 'token_type_missing', check: (t) => assert.equal(t.tokenType, '') },
    { quirk: 'token_type_lowercase', check: (t) => assert.equal(t.tokenType, 'Bearer') },
    { quirk: 'form_encoded', check: (t) => { assert.ok(t.accessToken); assert.equal(t.tokenType, 'Bearer'); } },
    { quirk: 'no_refresh_token', check: (t) => assert.equal(t.refreshToken, null) },
  ];
  for (const tc of grantCases) {
    test(`${tc.quirk}: parsed leniently`, async () => {
      await addFault({ match: { path: '/token' }, times: 1, quirk: tc.quirk });
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
      tc.check(await client.passwordGrant(USER));
    });
  }

  const errorCases = [
    { quirk: 'error_with_200', assertion: isOAuth('invalid_grant', 200) },
    { quirk: 'invalid_grant_401', assertion: isOAuth('invalid_grant', 401) },
    { quirk: 'html_error', assertion: isTransport('http_status', 502) },
    { quirk: 'malformed_json', assertion: isTransport('malformed') },
  ];
  for (const tc of errorCases) {
    test(`${tc.quirk}: typed error`, async () => {
      await addFault({ match: { path: '/token' }, times: 1, quirk: tc.quirk });
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
      await assert.rejects(client.passwordGrant(USER), tc.assertion);
    });
  }

  test('html_error with a chosen status', async () => {
    await addFault({ match: { path: '/token' }, times: 1, quirk: 'html_error', status: 503 });
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.passwordGrant(USER), isTransport('http_status', 503));
  });

  test('redirect: refused, the credentials are not re-sent', async () => {
    await addFault({ match: { path: '/token' }, times: 1, quirk: 'redirect', location: `${mock.url}/elsewhere` });
    await mock.clearRequests();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.passwordGrant(USER), isTransport('redirect', 307));
    const journal = await mock.requests();
    assert.equal(journal.filter((r) => r.path === '/elsewhere').length, 0);
  });

  test('hang: times out', async () => {
    await addFault({ match: { path: '/token' }, times: 1, quirk: 'hang' });
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, timeoutMs: 300 });
    await assert.rejects(client.passwordGrant(USER), isTransport('timeout'));
  });

  test('oversized: stops reading at the size limit', async () => {
    await addFault({ match: { path: '/token' }, times: 1, quirk: 'oversized' });
    // Count the body bytes the client pulls: reading the whole 16 MiB and
    // then refusing it would also end in too_large, but not within the limit.
    let pulled = 0;
    const countingFetch = async (input, init) => {
      const res = await fetch(input, init);
      const reader = res.body.getReader();
      const body = new ReadableStream({
        async pull(c) {
          const { done, value } = await reader.read();
          if (done) { c.close(); return; }
          pulled += value.byteLength;
          c.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, fetch: countingFetch, timeoutMs: 10_000 });
    await assert.rejects(client.passwordGrant(USER), isTransport('too_large'));
    assert.ok(pulled <= (1 << 20) + (256 << 10), `pulled ${pulled} bytes past a 1 MiB limit`);
  });

  test('oversized with a small custom limit', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, maxResponseBytes: 64 });
    await assert.rejects(client.passwordGrant(USER), isTransport('too_large'));
  });

  test('delay: adds latency, then answers normally', async () => {
    await addFault({ match: { path: '/token' }, times: 1, delay: '300ms' });
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const t0 = Date.now();
    const token = await client.passwordGrant(USER);
    assert.ok(Date.now() - t0 >= 280);
    assert.ok(token.accessToken);
  });

  test('match on username and times: only the first matching request fails', async () => {
    await addFault({ match: { path: '/token', username: USER.username }, times: 1, status: 400, error: 'invalid_grant' });
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.passwordGrant(USER), isOAuth('invalid_grant', 400));
    assert.ok((await client.passwordGrant(USER)).accessToken);
  });

  test('no_refresh_token on refresh: the old refresh token is kept (RFC 6749 §6)', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const token = await client.passwordGrant(USER);
    await addFault({ match: { path: '/token', grant_type: 'refresh_token' }, times: 1, quirk: 'no_refresh_token' });
    const next = await client.refresh(token.refreshToken);
    assert.equal(next.refreshToken, token.refreshToken);
  });

  // Every RFC 6749 §5.2 code (and the two RFC 6749 §4.1.2.1 codes servers
  // also send from the token endpoint), reachable through fault rules.
  const codes = [
    ['invalid_request', 400], ['invalid_client', 401], ['invalid_grant', 400], ['unauthorized_client', 400],
    ['unsupported_grant_type', 400], ['invalid_scope', 400], ['server_error', 500], ['temporarily_unavailable', 503],
  ];
  for (const [code, status] of codes) {
    test(`error ${code} (HTTP ${status})`, async () => {
      await addFault({ match: { path: '/token' }, times: 1, status, error: code, error_description: `injected ${code}`, retry_after: 1 });
      const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
      await assert.rejects(client.passwordGrant(USER), (e) => {
        isOAuth(code, status)(e);
        assert.equal(e.description, `injected ${code}`);
        return true;
      });
    });
  }

  test('a password echoed in error_description is scrubbed', async () => {
    await addFault({ match: { path: '/token' }, times: 1, status: 400, error: 'invalid_grant',
      error_description: `wrong password ${USER.password} for ${USER.username}` });
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    await assert.rejects(client.passwordGrant(USER), (e) => {
      isOAuth('invalid_grant', 400)(e);
      assert.equal(e.description, `wrong password [redacted] for ${USER.username}`);
      assert.ok(!e.message.includes(USER.password));
      return true;
    });
  });

  test('session refresh failing with temporarily_unavailable keeps the token and recovers', async () => {
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT });
    const token = await client.passwordGrant(USER);
    const session = client.session({ ...token, expiresAt: Date.now() - 1 });
    await addFault({ match: { path: '/token', grant_type: 'refresh_token' }, times: 1, status: 503, error: 'temporarily_unavailable' });
    await assert.rejects(session.accessToken(), isOAuth('temporarily_unavailable', 503));
    assert.notEqual(await session.accessToken(), token.accessToken);
  });
});

describe('journal', () => {
  test('records one entry per grant without secrets', async () => {
    await mock.clearRequests();
    const client = await createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, authMethod: 'client_secret_post' });
    await client.passwordGrant(USER);
    const journal = await mock.requests();
    const grants = journal.filter((r) => r.path === '/token');
    assert.equal(grants.length, 1);
    assert.equal(grants[0].grant_type, 'password');
    assert.equal(grants[0].client_auth, 'post');
    assert.ok(!JSON.stringify(journal).includes(USER.password));
  });
});

describe('mock clock', () => {
  test('an access token expired by the server clock is refreshed by session.fetch', async () => {
    const client = await createClient({ issuer: mock.issuer, ...CLIENT });
    const token = await client.passwordGrant(USER);
    const session = client.session(token);
    try {
      // Two hours on the server: the access token (1h) expires there, the
      // refresh token (720h) does not; the client's own clock says "fresh".
      await mock.clock({ advance: '2h' });
      const res = await session.fetch(`${mock.url}/userinfo`);
      assert.equal(res.status, 200);
      assert.notEqual(session.token.accessToken, token.accessToken);
    } finally {
      await mock.clock({ reset: true });
    }
  });
});

it('covers every quirk the mock knows', async () => {
  // The admin API names its quirks when refusing an unknown one.
  const res = await fetch(`${mock.url}/_admin/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quirk: 'no-such-quirk' }),
  });
  const known = (await res.json()).error?.match(/\(known: ([^)]*)\)/)?.[1]?.split(', ');
  assert.ok(known?.length > 0, 'the admin API no longer lists its quirks');
  assert.deepEqual(known.filter((q) => !covered.has(q)), [], 'quirks without a JS test');
});
