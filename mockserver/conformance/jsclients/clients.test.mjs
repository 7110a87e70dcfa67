// Interop: OAuth clients that no one on this project wrote get tokens,
// refreshes, introspection and revocation from ropc-mock. ROPC_MOCK_URL is
// the mock's issuer (run.sh starts the mock and sets it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceOwnerPassword } from 'simple-oauth2';
import { OAuth2Client } from '@badgateway/oauth2-client';

const base = process.env.ROPC_MOCK_URL;
assert.ok(base, 'ROPC_MOCK_URL must be set');

async function userinfo(accessToken) {
  const res = await fetch(`${base}/userinfo`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: res.status === 200 ? await res.json() : null };
}

for (const authorizationMethod of ['header', 'body']) {
  test(`simple-oauth2 (${authorizationMethod} client auth): password, refresh, revoke`, async () => {
    const client = new ResourceOwnerPassword({
      client: { id: 'client_id', secret: 'client_secret' },
      auth: { tokenHost: base, tokenPath: '/token', revokePath: '/revoke' },
      options: { authorizationMethod },
    });
    const tok = await client.getToken({ username: 'johndoe', password: 'A3ddj3w', scope: 'read' });
    assert.equal(tok.token.token_type, 'Bearer');
    assert.equal(tok.token.scope, 'read');
    assert.ok(tok.token.refresh_token);
    assert.equal((await userinfo(tok.token.access_token)).body.sub, 'johndoe');

    const fresh = await tok.refresh();
    assert.notEqual(fresh.token.refresh_token, tok.token.refresh_token, 'refresh token rotates');
    assert.equal((await userinfo(fresh.token.access_token)).status, 200);

    await fresh.revoke('refresh_token');
    assert.equal((await userinfo(fresh.token.access_token)).status, 401, 'revoking the refresh token revokes its access tokens');

    await assert.rejects(client.getToken({ username: 'johndoe', password: 'wrong' }), (err) => {
      assert.equal(err.output.statusCode, 400);
      assert.equal(err.data.payload.error, 'invalid_grant');
      return true;
    });
  });
}

for (const authenticationMethod of ['client_secret_basic', 'client_secret_post']) {
  test(`@badgateway/oauth2-client (${authenticationMethod}, discovery): password, refresh, introspect, revoke`, async () => {
    const client = new OAuth2Client({
      server: base,
      clientId: 'client_id',
      clientSecret: 'client_secret',
      authenticationMethod,
      // No endpoints given: the client reads /.well-known/oauth-authorization-server.
    });
    const tok = await client.password({ username: 'johndoe', password: 'A3ddj3w', scope: ['read', 'write'] });
    assert.ok(tok.accessToken);
    assert.ok(tok.refreshToken);
    assert.ok(tok.expiresAt > Date.now());

    const info = await client.introspect(tok);
    assert.equal(info.active, true);
    assert.equal(info.username, 'johndoe');
    assert.equal(info.scope, 'read write');

    const fresh = await client.refreshToken(tok);
    assert.notEqual(fresh.refreshToken, tok.refreshToken);
    // The rotated token is dead; reusing it revokes the whole grant.
    await assert.rejects(client.refreshToken(tok));
    assert.equal((await client.introspect(fresh)).active, false);

    const again = await client.password({ username: 'johndoe', password: 'A3ddj3w' });
    await client.revoke(again, 'access_token');
    assert.equal((await client.introspect(again)).active, false);
    assert.equal((await userinfo(again.accessToken)).status, 401);
  });
}

test('public client with @badgateway/oauth2-client', async () => {
  const client = new OAuth2Client({ server: base, clientId: 'public-client', tokenEndpoint: '/token' });
  const tok = await client.password({ username: 'johndoe', password: 'A3ddj3w', scope: ['read'] });
  const fresh = await client.refreshToken(tok);
  assert.equal((await userinfo(fresh.accessToken)).status, 200);
});

// RFC 9449 DPoP with oauth4webapi (panva): its own proofs, its own nonce
// handling, against a client that requires DPoP with server nonces.
test('oauth4webapi with DPoP: password grant through use_dpop_nonce, refresh, /userinfo', async () => {
  const oauth = await import('oauth4webapi');
  const res = await fetch(`${base}/_admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'o4w-dpop', public: true, scopes: ['openid', 'read'], dpop: 'required', dpop_nonce: true }),
  });
  assert.ok(res.ok, `register the DPoP client: HTTP ${res.status}`);

  const insecure = { [oauth.allowInsecureRequests]: true };
  const issuer = new URL(base);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  assert.deepEqual(as.dpop_signing_alg_values_supported, ['ES256', 'EdDSA']);
  const client = { client_id: 'o4w-dpop' };
  const auth = oauth.None();
  const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'));

  // RFC 9449 §8: the first answer is use_dpop_nonce; oauth4webapi keeps the
  // nonce and the caller retries once.
  let nonceErrors = 0;
  const withNonceRetry = async (fn) => {
    try {
      return await fn();
    } catch (err) {
      if (!oauth.isDPoPNonceError(err)) throw err;
      nonceErrors += 1;
      return fn();
    }
  };
  const grant = () => oauth.genericTokenEndpointRequest(as, client, auth, 'password',
    new URLSearchParams({ username: 'johndoe', password: 'A3ddj3w', scope: 'read' }), { DPoP, ...insecure })
    .then((r) => oauth.processGenericTokenEndpointResponse(as, client, r));
  const tok = await withNonceRetry(grant);
  assert.equal(nonceErrors, 1);
  assert.equal(tok.token_type, 'dpop'); // oauth4webapi lower-cases token_type
  assert.ok(tok.refresh_token);

  const fresh = await withNonceRetry(() => oauth.refreshTokenGrantRequest(as, client, auth, tok.refresh_token, { DPoP, ...insecure })
    .then((r) => oauth.processRefreshTokenResponse(as, client, r)));
  assert.equal(fresh.token_type, 'dpop');

  const me = await oauth.protectedResourceRequest(fresh.access_token, 'GET', new URL(`${base}/userinfo`), new Headers(), null, { DPoP, ...insecure });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).sub, 'johndoe');

  // The same token without the proof-of-possession is refused.
  assert.equal((await userinfo(fresh.access_token)).status, 401);
});
