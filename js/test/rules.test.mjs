// The shared rule table (sdk/core/testdata/rules.json) through the JavaScript
// package, against the real ropc-mock; sdk/rules_test.go runs the same table
// through the Go SDK. A section without a runner here, or a runner without a
// section, fails: a rule needs a JavaScript host check as well as cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';

import { OAuthError, TransportError, createClient } from 'ropc';
import { loadCore } from '../loader.js'; // the instance the 'ropc' (node) entry loads
import { CONFIG, DEMO, startMock, totp } from './mock.mjs';

const table = JSON.parse(readFileSync(new URL('../../sdk/core/testdata/rules.json', import.meta.url), 'utf8'));
delete table.$comment;

const CLIENT = { clientId: DEMO.client_id, clientSecret: DEMO.client_secret };
const USER = { username: DEMO.username, password: DEMO.password };

let mock;
let mfaMock; // the auth0 profile, for sign_in_step; started by its first case
before(async () => { mock = await startMock({ config: null }); }); // the built-in demo config
after(async () => {
  await mock?.stop();
  await mfaMock?.stop();
});
beforeEach(async () => {
  await mock.clearFaults();
  await mock.clearRequests();
});

const faults = async (list = []) => { for (const f of list) await mock.addFault(f); };
const metadataRequests = async () => (await mock.requests()).filter((e) => e.path.startsWith('/.well-known/')).length;
const refreshRequests = async () => (await mock.requests()).filter((e) => e.path === '/token' && e.grant_type === 'refresh_token').length;
const client = (extra = {}) => createClient({ tokenUrl: mock.tokenUrl, ...CLIENT, ...extra });

/** A real token from the mock, its expiry moved to the case's. */
async function heldToken(c, { expiresIn, remaining, refreshToken = true }) {
  const t = await c.passwordGrant(USER);
  return {
    ...t,
    expiresIn: expiresIn ?? null,
    expiresAt: remaining == null ? null : Date.now() + remaining * 1000,
    refreshToken: refreshToken ? t.refreshToken : null,
  };
}

const runners = {
  client_config: (c) => async () => {
    // Paths are relative to the mock; client_id and secret stand for its confidential or public client.
    const at = (p) => (p == null ? undefined : mock.url + p);
    const opts = {
      tokenUrl: at(c.token_url), issuer: at(c.issuer), revocationUrl: at(c.revocation_url),
      introspectionUrl: at(c.introspection_url), challengeUrl: at(c.challenge_url),
      clientId: c.client_id ? (c.secret ? DEMO.client_id : DEMO.public_client_id) : undefined,
      clientSecret: c.secret ? DEMO.client_secret : undefined,
    };
    if (!c.ok) {
      // The core names the parameter; the message names this package's option for it.
      const option = { client_id: 'clientId', 'token endpoint': 'tokenUrl or issuer' }[c.error];
      await assert.rejects(createClient(opts), (e) => e instanceof TransportError && e.reason === 'invalid_input' &&
        e.message.startsWith(`ropc: createClient needs ${option}: `));
      return;
    }
    const cl = await createClient(opts);
    if (opts.tokenUrl || opts.issuer) {
      assert.ok((await cl.passwordGrant(USER)).accessToken);
      return;
    }
    // A client that only revokes or introspects does that, and says why it cannot sign in.
    await assert.rejects(cl.passwordGrant(USER), (e) => e instanceof TransportError && e.reason === 'invalid_input' &&
      e.message.includes('token endpoint'));
    // The tokens come from the same public client: the mock, like RFC 7009 §2.1, revokes only a
    // token issued to the client asking.
    const issuer = await createClient({ tokenUrl: mock.tokenUrl, clientId: DEMO.public_client_id });
    const tok = await issuer.passwordGrant(USER);
    if (opts.introspectionUrl) assert.equal((await cl.introspect(tok.accessToken)).active, true);
    if (opts.revocationUrl) {
      await cl.revoke(tok.refreshToken, { hint: 'refresh_token' });
      await assert.rejects(issuer.refresh(tok.refreshToken), (e) => e instanceof OAuthError && e.code === 'invalid_grant');
    }
  },

  plain_http: (c) => async () => {
    for (const options of [{ tokenUrl: c.url }, { issuer: c.url.replace(/\/token$/, '') }]) {
      const created = createClient({ ...options, clientId: 'c', allowInsecureHttp: c.allow_insecure === true });
      if (c.ok) await created;
      else await assert.rejects(created, (e) => e instanceof TransportError && e.reason === 'insecure_url');
    }
  },

  default_auth_method: (c) => async () => {
    const opts = {
      tokenUrl: mock.tokenUrl,
      clientId: c.want === 'none' ? DEMO.public_client_id : DEMO.client_id,
      clientSecret: c.secret ? DEMO.client_secret : '',
      authMethod: c.method || undefined,
    };
    if (c.error) {
      await assert.rejects(createClient(opts), (e) => e instanceof TransportError && e.reason === 'invalid_input' &&
        e.message.includes(c.error));
      return;
    }
    await (await createClient(opts)).passwordGrant(USER);
    const reqs = await mock.requests();
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0].client_auth, c.client_auth, 'what the server saw');
  },

  refresh_margin: (c) => async () => {
    const cl = await client();
    const held = await heldToken(cl, { expiresIn: c.expires_in, remaining: c.remaining });
    const options = c.margin == null ? {} : { marginMs: c.margin * 1000 };
    if (c.want === 'error') {
      assert.throws(() => cl.session(held, options), (e) => e instanceof TransportError && e.message.includes(c.error));
      return;
    }
    const before = await refreshRequests();
    const at = await cl.session(held, options).accessToken();
    if (c.want === 'use') {
      assert.equal(at, held.accessToken);
      assert.equal(await refreshRequests(), before);
    } else {
      assert.notEqual(at, held.accessToken);
      assert.equal(await refreshRequests(), before + 1);
    }
  },

  expiry: (c) => async () => {
    // The package parses every token answer with core.parseSignInResponse; the case's
    // expires_in goes through it as the mock's answers do.
    const core = await loadCore();
    const answer = { access_token: 'at', token_type: 'Bearer' };
    if ('expires_in' in c) answer.expires_in = c.expires_in;
    const t0 = Date.now();
    const out = JSON.parse(core.parseSignInResponse(200, 'application/json', '', JSON.stringify(answer), '', '', '', '', ''));
    const t1 = Date.now();
    if (c.error) {
      assert.ok(out.error, JSON.stringify(out));
      assert.match(out.error.message, new RegExp(c.error));
      return;
    }
    assert.equal(out.ok.expiresIn, c.want);
    if (c.want == null) {
      assert.equal(out.ok.expiresAt, null);
    } else {
      assert.ok(out.ok.expiresAt >= t0 + c.want * 1000 - 1 && out.ok.expiresAt <= t1 + c.want * 1000,
        `expiresAt ${out.ok.expiresAt} is receive time + ${c.want} s`);
    }
  },

  mfa_code_grant: (c) => async () => {
    // signIn asks the user challenge.promptType and sends a typed code with challenge.codeGrant,
    // both the core's answer to the challenge (the mock has no SMS factor, so no mock here).
    const core = await loadCore();
    const out = JSON.parse(core.parseChallengeResponse(200, 'application/json', '', JSON.stringify(c.answer), ''));
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    assert.equal(out.ok.promptType, c.want_prompt);
    const grants = { otp: 'http://auth0.com/oauth/grant-type/mfa-otp', oob: 'http://auth0.com/oauth/grant-type/mfa-oob' };
    assert.equal(out.ok.codeGrant ?? '', c.want_grant ? grants[c.want_grant] : '');
  },

  resource_scheme: (c) => async () => {
    // session.fetch asks the core (resourceScheme) for the scheme of the token it sends.
    const core = await loadCore();
    const out = JSON.parse(core.resourceScheme(c.token_type, c.dpop ? '1' : ''));
    if (c.error) {
      assert.ok(out.error, JSON.stringify(out));
      assert.ok(out.error.message.includes(c.error), out.error.message);
      return;
    }
    assert.equal(out.error, undefined, JSON.stringify(out.error));
    assert.equal(out.ok.scheme, c.want);
  },

  sign_in_step: (c) => async () => {
    // signIn against the mock's auth0 profile, which answers a TOTP user's password with
    // mfa_required; the step taken shows in what onChallenge is asked and what the mock sees.
    const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const PASSWORD = 'Pr0file-Passw0rd';
    if (!mfaMock) {
      // One TOTP user per case: a code is accepted once per user and step.
      const users = Array.from({ length: table.sign_in_step.length }, (_, i) => ({
        username: `step-${i}`, password: PASSWORD, mfa: { type: 'totp', secret: SECRET },
        recovery_codes: ['RC7KQ2M4XW9TB3VN5HJ8LP6D'],
      }));
      mfaMock = await startMock({ config: { ...CONFIG, profile: 'auth0', users: [...CONFIG.users, ...users] } });
    }
    await mfaMock.clearRequests();
    const index = table.sign_in_step.indexOf(c);
    const cl = await createClient({ tokenUrl: `${mfaMock.url}/oauth/token`, ...CLIENT });
    const stop = new Error("the test's onChallenge stops here");
    const prompts = [];
    const opts = {
      username: c.answer === 'token' ? DEMO.username : `step-${index}`,
      password: { token: DEMO.password, invalid_grant: 'wrong-password' }[c.answer] ?? PASSWORD,
      ...(c.otp ? { otp: await totp(SECRET) } : {}),
      ...(c.recovery ? { recovery: true } : {}),
      ...(c.prompter ? { onChallenge: (ch) => { prompts.push(ch.type); throw stop; } } : {}),
    };
    const result = await cl.signIn(opts).then((t) => ({ token: t }), (e) => ({ error: e }));
    cl.close();
    const reqs = await mfaMock.requests();
    const mfaGrants = reqs.filter((r) => r.grant_type.includes('mfa-')).length;
    const mfaCalls = reqs.filter((r) => r.path.startsWith('/mfa/')).length; // the authenticator list and the challenge
    switch (c.want) {
      case 'done':
        assert.ok(result.token?.accessToken, String(result.error));
        assert.deepEqual(prompts, []);
        break;
      case 'fail':
        assert.ok(result.error instanceof OAuthError, String(result.error));
        assert.equal(result.error.kind, { invalid_grant: 'invalid_credentials', mfa_required: 'mfa_required' }[c.answer]);
        assert.notEqual(result.error.cause, stop);
        assert.deepEqual(prompts, []);
        assert.equal(mfaGrants + mfaCalls, 0, 'nothing sent after the password grant');
        break;
      case 'otp':
        assert.ok(result.token?.accessToken, `the code in hand is the user's current one: ${result.error}`);
        assert.deepEqual(prompts, [], 'nobody asked');
        assert.equal(reqs.filter((r) => r.grant_type.endsWith('mfa-otp')).length, 1);
        assert.equal(mfaCalls, 0);
        break;
      case 'recovery_code':
        assert.equal(result.error?.cause, stop, String(result.error));
        assert.deepEqual(prompts, ['recovery_code']);
        assert.equal(mfaGrants + mfaCalls, 0);
        break;
      case 'challenge':
        assert.equal(result.error?.cause, stop, String(result.error));
        assert.deepEqual(prompts, ['otp'], "the user's one factor: no choice, a code");
        assert.ok(mfaCalls > 0, 'a challenge was started');
        assert.equal(mfaGrants, 0);
        break;
      default:
        assert.fail(`unknown step ${c.want}`);
    }
  },

  refused_token: (c) => async () => {
    // session.fetch reads the header with Headers.get (several lines joined by ", ") and asks the
    // core (refusesToken) whether the 401 refused the token.
    const headers = new Headers();
    for (const line of c.lines) headers.append('www-authenticate', line);
    const core = await loadCore();
    const out = JSON.parse(core.refusesToken(headers.get('www-authenticate') ?? ''));
    assert.equal(out.ok, c.refused);
  },

  discovery_order: (c) => async () => {
    const issuer = c.issuer.replace('https://as.example', mock.url);
    if (c.error) {
      await assert.rejects(createClient({ issuer, ...CLIENT }), (e) => e instanceof TransportError && e.message.toLowerCase().includes(c.error));
      return;
    }
    // Every URL of the case answers 404, so the client walks the whole list.
    for (const u of c.want) {
      await mock.addFault({ match: { path: u.replace('https://as.example', '') }, quirk: 'html_error', status: 404 });
    }
    const cl = await createClient({ issuer, ...CLIENT });
    const e = await cl.discover().then(() => assert.fail('discovery should fail'), (err) => err);
    assert.ok(e instanceof TransportError && e.reason === 'discovery', String(e));
    assert.deepEqual(e.attempts.map((a) => a.url.replace(mock.url, 'https://as.example')), c.want, "the error's attempts");
    assert.deepEqual((await mock.requests()).map((r) => `https://as.example${r.path}`), c.want, 'what the server saw');
  },

  discovery_fallback: (c) => async () => {
    await faults(c.faults);
    const cl = await createClient({ issuer: mock.url + c.issuer_path, ...CLIENT, ...(c.timeout_ms ? { timeoutMs: c.timeout_ms } : {}) });
    const result = await cl.discover().then(() => null, (err) => err);
    const seen = (await mock.requests()).map((r) => ({ path: r.path, status: r.status }));
    assert.deepEqual(seen, c.tried, "the mock's journal");
    if (c.ok) {
      assert.equal(result, null, String(result));
      return;
    }
    assert.ok(result instanceof TransportError && result.reason === 'discovery', String(result));
    assert.deepEqual(result.attempts.map((a) => ({ path: a.url.replace(mock.url, ''), status: a.status })), c.tried, "the error's attempts");
    for (const a of result.attempts) assert.ok(result.message.includes(a.url), `the message names ${a.url}`);
    assert.ok(!result.message.includes('\n'), 'one line, each URL beside its answer');
  },

  discovery_timing: (c) => async () => {
    await faults(c.faults);
    let cl;
    for (const [i, s] of c.steps.entries()) {
      if (s.do === 'create') {
        cl = await createClient({ issuer: mock.url, ...(c.token_url ? { tokenUrl: mock.tokenUrl } : {}), ...CLIENT });
      } else if (s.do === 'password_grant') {
        const ok = await cl.passwordGrant(USER).then(() => true, () => false);
        assert.equal(ok, s.ok, `step ${i}`);
      } else {
        assert.fail(`unknown step ${s.do}`);
      }
      assert.equal(await metadataRequests(), s.metadata_requests, `metadata requests after step ${i} (${s.do})`);
    }
  },

  sign_in_again: (c) => async () => {
    const cl = await client();
    const held = await heldToken(cl, { expiresIn: 3600, remaining: c.remaining, refreshToken: c.refresh_token });
    await faults(c.faults);
    if (c.rejected) {
      const session = cl.session({ ...held, accessToken: 'refused-by-the-resource-server' });
      const res = await session.fetch(`${mock.url}/userinfo`);
      await res.body?.cancel();
      if (c.want === 'hand_back') {
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate'), /invalid_token/);
      } else {
        assert.equal(res.status, 200);
      }
    } else {
      const session = cl.session(held);
      const check = async (want) => {
        const got = await session.accessToken().then((at) => ({ at }), (err) => ({ err }));
        switch (want) {
          case 'use': assert.equal(got.at, held.accessToken, String(got.err)); break;
          case 'refresh': assert.ok(got.at && got.at !== held.accessToken, String(got.err)); break;
          case 'sign_in_again': assert.equal(got.err?.reason, 'sign_in_again', String(got.err ?? got.at)); break;
          case 'error':
            assert.ok(got.err, 'a failure');
            assert.notEqual(got.err.reason, 'sign_in_again', String(got.err));
            assert.ok(got.err instanceof OAuthError || got.err instanceof TransportError);
            break;
          default: assert.fail(`unknown want ${want}`);
        }
      };
      await check(c.want);
      if (c.then) await check(c.then);
    }
    assert.equal(await refreshRequests(), c.refresh_requests);
  },

  refresh_scope: (c) => async () => {
    if (!c.mock) {
      // The package hands the requested and previous scope to core.parseSignInResponse, which applies
      // core.GrantedScope to the answer.
      const core = await loadCore();
      const answer = { access_token: 'at', token_type: 'Bearer', ...(c.response ? { scope: c.response } : {}) };
      const out = JSON.parse(core.parseSignInResponse(200, 'application/json', '', JSON.stringify(answer), '', '', c.requested, 'rt', c.previous));
      assert.equal(out.ok.scope, c.want);
      return;
    }
    const cl = await client();
    const t = await cl.passwordGrant(USER);
    if (!c.refresh_answer_has_refresh_token) {
      await mock.addFault({ match: { path: '/token', grant_type: 'refresh_token' }, times: 1, quirk: 'no_refresh_token' });
    }
    const next = await cl.refresh(t.refreshToken);
    if (c.want_refresh_token === 'old') assert.equal(next.refreshToken, t.refreshToken);
    else assert.ok(next.refreshToken && next.refreshToken !== t.refreshToken);
  },
};

describe('shared rules (sdk/core/testdata/rules.json)', () => {
  it('every rule in the table has a JavaScript runner, and every runner a rule', () => {
    assert.deepEqual(Object.keys(runners).sort(), Object.keys(table).sort());
  });
  for (const [rule, cases] of Object.entries(table)) {
    describe(rule, () => {
      assert.ok(cases.length > 0, `rule ${rule} has no cases`);
      for (const c of cases) {
        if (runners[rule]) it(c.name, runners[rule](c));
      }
    });
  }
});
