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
