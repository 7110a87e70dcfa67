// client.signIn against the real ropc-mock under each provider profile: the
// error kinds, and sign-in finished with a TOTP code, an out-of-band approval
// or a recovery code wherever the provider allows it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';

import { OAuthError, TransportError, createClient } from 'ropc';
import { CONFIG, decideMFA, startMock, totp } from './mock.mjs';

const PASSWORD = 'Pr0file-Passw0rd';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const RECOVERY = ['RC7KQ2M4XW9TB3VN5HJ8LP6D', 'RC2F8G4H6J3K9M5N7P2Q4R6S'];
const CLIENT = { clientId: 'client_id', clientSecret: 'client_secret' };

// Each test signs in as its own user: a TOTP code is accepted once per user
// and step, and an out-of-band challenge is pending per user.
const totpUser = (name) => ({ username: name, password: PASSWORD, mfa: { type: 'totp', secret: SECRET }, recovery_codes: RECOVERY });
const oobUser = (name) => ({ username: name, password: PASSWORD, mfa: { type: 'oob' } });
const stateUser = (name, state) => ({ username: name, password: PASSWORD, state });

function config(profile, { oob = true } = {}) {
  const users = [
    ...CONFIG.users,
    totpUser('totp-a'), totpUser('totp-b'), totpUser('totp-c'), totpUser('totp-d'), totpUser('totp-e'),
    stateUser('locked', 'locked'), stateUser('disabled', 'disabled'),
    stateUser('expired', 'password_expired'), stateUser('setup', 'setup_required'),
  ];
  if (oob) users.push(oobUser('oob-a'), oobUser('oob-b'), oobUser('oob-c'));
  return { ...CONFIG, profile, oob_interval: '1s', users };
}

const TOKEN_PATHS = {
  keycloak: '/realms/ropc/protocol/openid-connect/token',
  auth0: '/oauth/token',
  okta: '/oauth2/default/v1/token',
  entra: '/ropc.onmicrosoft.com/oauth2/v2.0/token',
};

/** A fetch that counts password-grant requests. */
function countingFetch() {
  const counts = { password: 0 };
  const f = (input, init) => {
    const body = typeof init?.body === 'string' ? new URLSearchParams(init.body) : null;
    const grant = body?.get('grant_type') ?? '';
    if (grant === 'password' || grant.endsWith('/password-realm')) counts.password++;
    return fetch(input, init);
  };
  return { fetch: f, counts };
}

async function expectKind(promise, kind) {
  const e = await promise.then(() => assert.fail('signIn succeeded'), (err) => err);
  assert.ok(e instanceof OAuthError, `want an OAuthError, got ${e}`);
  assert.equal(e.kind, kind, `${e.message} ${JSON.stringify(e.extra)}`);
  assert.equal(typeof e.extra, 'object');
  return e;
}

for (const profile of ['keycloak', 'auth0', 'okta', 'entra']) {
  describe(`signIn against the ${profile} profile`, () => {
    let mock;
    let client;
    let counter;
    before(async () => {
      mock = await startMock({ config: config(profile, { oob: profile !== 'keycloak' }) });
      counter = countingFetch();
      client = await createClient({ tokenUrl: mock.url + TOKEN_PATHS[profile], ...CLIENT, fetch: counter.fetch });
    });
    after(async () => {
      client?.close();
      await mock?.stop();
    });
    const signIn = (opts) => client.signIn({ password: PASSWORD, ...opts });
    const totpAnswer = async (c) => {
      assert.equal(c.type, 'otp');
      return totp(SECRET);
    };

    it('a wrong password is invalid_credentials', async () => {
      await expectKind(signIn({ username: 'totp-e', password: 'wrong-password-value', otp: '123456', onChallenge: totpAnswer }), 'invalid_credentials');
    });

    if (profile === 'keycloak') {
      it('finishes with the code sent with the password', async () => {
        const before = counter.counts.password;
        const token = await signIn({ username: 'totp-a', otp: await totp(SECRET) });
        assert.ok(token.accessToken);
        assert.equal(counter.counts.password - before, 1);
      });
      it('a missing code looks like a wrong password', async () => {
        await expectKind(signIn({ username: 'totp-b' }), 'invalid_credentials');
      });
      it('a wrong code looks like a wrong password', async () => {
        const wrong = (await totp(SECRET)) === '000000' ? '111111' : '000000';
        await expectKind(signIn({ username: 'totp-c', otp: wrong }), 'invalid_credentials');
      });
      it('locked looks like a wrong password', async () => {
        await expectKind(signIn({ username: 'locked' }), 'invalid_credentials');
      });
      it('names disabled, and both setup situations', async () => {
        await expectKind(signIn({ username: 'disabled' }), 'account_disabled');
        await expectKind(signIn({ username: 'expired' }), 'account_setup_required');
        await expectKind(signIn({ username: 'setup' }), 'account_setup_required');
      });
    }

    if (profile === 'auth0' || profile === 'okta') {
      it('finishes with a TOTP code asked for after mfa_required, sending the password once', async () => {
        const before = counter.counts.password;
        const asked = [];
        const token = await signIn({ username: 'totp-a', onChallenge: (c) => { asked.push(c.type); return totpAnswer(c); } });
        assert.ok(token.accessToken);
        assert.deepEqual(asked, ['otp']);
        assert.equal(counter.counts.password - before, 1);
      });
      it('a wrong code is mfa_invalid_code', async () => {
        const wrong = (await totp(SECRET)) === '000000' ? '111111' : '000000';
        await expectKind(signIn({ username: 'totp-b', onChallenge: () => wrong }), 'mfa_invalid_code');
      });
      it('finishes after an out-of-band approval', async () => {
        const asked = [];
        const token = await signIn({
          username: 'oob-a',
          onChallenge: async (c) => { asked.push(c.type); await decideMFA(mock, 'oob-a', true); return 'ignored'; },
        });
        assert.ok(token.accessToken);
        assert.deepEqual(asked, ['oob']);
      });
      it('a denied approval is mfa_denied', async () => {
        await expectKind(signIn({ username: 'oob-b', onChallenge: () => decideMFA(mock, 'oob-b', false) }), 'mfa_denied');
      });
      it('an AbortSignal stops the polling', async () => {
        const ac = new AbortController();
        const started = Date.now();
        const e = await signIn({ username: 'oob-c', signal: ac.signal, onChallenge: () => { setTimeout(() => ac.abort(), 300); } })
          .then(() => assert.fail('signIn succeeded'), (err) => err);
        assert.ok(e instanceof TransportError, String(e));
        assert.equal(e.reason, 'aborted');
        assert.ok(Date.now() - started < 10_000);
      });
      it('without onChallenge, mfa_required keeps its mfa_token, and console.log hides it', async () => {
        const e = await expectKind(signIn({ username: 'totp-c' }), 'mfa_required');
        assert.equal(typeof e.extra.mfa_token, 'string');
        assert.ok(!inspect(e).includes(e.extra.mfa_token), inspect(e));
      });
      it('an onChallenge that throws keeps the server\'s demand', async () => {
        const e = await expectKind(signIn({ username: 'totp-c', onChallenge: () => { throw new Error('no user here'); } }), 'mfa_required');
        assert.equal(e.cause.message, 'no user here');
      });
    }

    if (profile === 'auth0') {
      it('carries the retry delay of a lock (Retry-After)', async () => {
        await mock.addFault({ match: { grant_type: 'password' }, times: 1, status: 429, error: 'too_many_attempts', retry_after: 42 });
        const e = await expectKind(signIn({ username: 'johndoe', password: 'A3ddj3w' }), 'account_locked');
        assert.equal(e.retryAfter, 42);
      });
      it('finishes with a code given up front', async () => {
        const token = await signIn({ username: 'totp-d', otp: await totp(SECRET) });
        assert.ok(token.accessToken);
      });
      it('finishes with a recovery code, which works once', async () => {
        const token = await signIn({ username: 'totp-e', recovery: true, onChallenge: (c) => { assert.equal(c.type, 'recovery_code'); return RECOVERY[0]; } });
        assert.ok(token.accessToken);
        assert.equal(typeof token.raw.recovery_code, 'string');
        await expectKind(signIn({ username: 'totp-e', recovery: true, onChallenge: () => RECOVERY[0] }), 'mfa_invalid_code');
      });
      it('names locked, disabled and setup; an expired password is not told apart', async () => {
        await expectKind(signIn({ username: 'locked' }), 'account_locked');
        await expectKind(signIn({ username: 'disabled' }), 'account_disabled');
        await expectKind(signIn({ username: 'setup' }), 'account_setup_required');
        await expectKind(signIn({ username: 'expired' }), 'invalid_credentials');
      });
      it('signs in with the password-realm grant', async () => {
        const token = await client.signIn({ username: 'johndoe', password: 'A3ddj3w', realm: 'Username-Password-Authentication' });
        assert.ok(token.accessToken);
      });
    }

    if (profile === 'okta') {
      it('does not tell locked, disabled, expired or setup from a wrong password', async () => {
        for (const username of ['locked', 'disabled', 'expired', 'setup']) await expectKind(signIn({ username }), 'invalid_credentials');
      });
    }

    if (profile === 'entra') {
      it('a user with a factor must sign in interactively, with the claims challenge kept', async () => {
        const e = await expectKind(signIn({ username: 'totp-a', onChallenge: totpAnswer }), 'interaction_required');
        assert.ok(Array.isArray(e.extra.error_codes));
        assert.equal(typeof e.extra.claims, 'string');
        assert.equal(e.extra.suberror, 'basic_action');
      });
      it('names locked, disabled, expired and MFA enrolment', async () => {
        await expectKind(signIn({ username: 'locked' }), 'account_locked');
        await expectKind(signIn({ username: 'disabled' }), 'account_disabled');
        await expectKind(signIn({ username: 'expired' }), 'password_expired');
        await expectKind(signIn({ username: 'setup' }), 'interaction_required');
      });
    }
  });
}
