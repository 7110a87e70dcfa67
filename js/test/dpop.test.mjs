// DPoP (RFC 9449) in the ropc package, against the real ropc-mock over
// loopback: bound tokens, nonce challenges, refresh, /userinfo, downgrade.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TransportError, createClient } from 'ropc';
import { DPOP_CONFIG, startMock } from './mock.mjs';
const USER = { username: 'johndoe', password: 'A3ddj3w' };

let mock;
before(async () => { mock = await startMock({ config: DPOP_CONFIG }); });
after(async () => { await mock?.stop(); });

const client = (clientId, dpop = true, extra = {}) => createClient({
  tokenUrl: mock.tokenUrl, revocationUrl: `${mock.url}/revoke`, introspectionUrl: `${mock.url}/introspect`,
  clientId, authMethod: 'none', dpop, ...extra,
});

const count = (entries, path) => entries.filter((e) => e.path === path).length;

describe('DPoP', () => {
  it('gets a bound token through a nonce challenge, refreshes, calls /userinfo, introspects, revokes', async () => {
    await mock.clearRequests();
    const c = await client('dpop-nonce');
    const tok = await c.passwordGrant(USER);
    assert.equal(tok.tokenType, 'DPoP');
    assert.equal(count(await mock.requests(), '/token'), 2, 'use_dpop_nonce, then the retry with the nonce');

    await mock.clearRequests();
    const fresh = await c.refresh(tok.refreshToken);
    assert.equal(fresh.tokenType, 'DPoP');
    assert.equal(count(await mock.requests(), '/token'), 1, 'the newest nonce is kept and sent');

    const s = c.session(fresh);
    const res = await s.fetch(`${mock.url}/userinfo`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).sub, 'johndoe');

    const info = await c.introspect(fresh.accessToken);
    assert.deepEqual(info.raw.cnf, { jkt: c.dpopThumbprint });
    await c.revoke(fresh.refreshToken, { hint: 'refresh_token' });
    for (const e of await mock.requests()) assert.equal(e.dpop, true, `${e.method} ${e.path} carried a proof`);
  });

  it('uses the app\'s own CryptoKeyPair (Ed25519) and the key is not extractable when generated', async () => {
    const keyPair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const c = await client('dpop', { keyPair });
    const tok = await c.passwordGrant(USER);
    assert.equal(tok.tokenType, 'DPoP');
    const res = await c.session(tok).fetch(`${mock.url}/userinfo`);
    assert.equal(res.status, 200);
  });

  it('a refresh token copied to another key is refused', async () => {
    const tok = await (await client('dpop')).passwordGrant(USER);
    await assert.rejects((await client('dpop')).refresh(tok.refreshToken), (e) => e.code === 'invalid_grant');
  });

  it('retries a resource nonce challenge once (RFC 9449 §9)', async () => {
    const c = await client('dpop');
    const tok = await c.passwordGrant(USER);
    const s = c.session(tok);
    await mock.clearRequests();
    await mock.addFault({ match: { path: '/userinfo' }, error: 'use_dpop_nonce', times: 1 });
    const res = await s.fetch(`${mock.url}/userinfo`);
    assert.equal(res.status, 200);
    assert.equal(count(await mock.requests(), '/userinfo'), 2);
    await mock.clearFaults();
  });

  it('does not retry a streamed body after a nonce challenge', async () => {
    const c = await client('dpop');
    const s = c.session(await c.passwordGrant(USER));
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await mock.addFault({ match: { path: '/userinfo' }, error: 'use_dpop_nonce', times: 1 });
    assert.equal((await s.fetch(`${mock.url}/userinfo`, { ...form, body: 'x=1' })).status, 200, 'a string body is sent again');
    await mock.clearRequests();
    await mock.addFault({ match: { path: '/userinfo' }, error: 'use_dpop_nonce', times: 1 });
    const stream = new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode('x=1')); ctl.close(); } });
    const res = await s.fetch(`${mock.url}/userinfo`, { ...form, body: stream, duplex: 'half' });
    assert.equal(res.status, 401);
    assert.equal(count(await mock.requests(), '/userinfo'), 1);
    await mock.clearFaults();
  });

  it('refuses a Bearer answer to a DPoP request unless allowBearer', async () => {
    await assert.rejects((await client('no-dpop')).passwordGrant(USER), (e) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.reason, 'token_type');
      assert.match(e.message, /not bound to the key/);
      return true;
    });
    const c = await client('no-dpop', { allowBearer: true });
    const tok = await c.passwordGrant(USER);
    assert.equal(tok.tokenType, 'Bearer');
    assert.equal((await c.session(tok).fetch(`${mock.url}/userinfo`)).status, 200);
  });

  it('a DPoP token cannot make a session without the key', async () => {
    const tok = await (await client('dpop')).passwordGrant(USER);
    const plain = await client('dpop', false);
    assert.throws(() => plain.session(tok), (e) => e.reason === 'token_type');
  });

  it('refuses a bad dpop option', async () => {
    await assert.rejects(client('dpop', 'yes'), (e) => e.reason === 'invalid_input');
    await assert.rejects(client('dpop', { keyPair: {} }), (e) => e.reason === 'invalid_input');
  });
});
