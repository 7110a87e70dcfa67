#!/usr/bin/env node
// Sign in from a Node.js script with the ropc package: password grant, a call
// to a protected resource through a session, refresh, revoke.
//
//   make mock                       # in another terminal: the mock on 127.0.0.1:8080
//   make js && cd examples/node && npm install && node signin.mjs johndoe
//
// Settings come from the environment: ROPC_ISSUER (default
// http://127.0.0.1:8080), ROPC_CLIENT_ID, ROPC_CLIENT_SECRET, ROPC_SCOPE and,
// for non-interactive use only, ROPC_PASSWORD and ROPC_OTP (a one-time code
// for a server that asks for a second factor). Tokens are never printed.
import { stdin, stdout, stderr, env, argv, exit } from 'node:process';
import { createInterface } from 'node:readline';

import { OAuthError, createClient } from 'ropc';

const issuer = env.ROPC_ISSUER ?? 'http://127.0.0.1:8080';
const username = argv[2] ?? env.ROPC_USERNAME ?? 'johndoe';

/** Reads a password from the terminal without echoing it. */
function askPassword(prompt) {
  if (env.ROPC_PASSWORD) return Promise.resolve(env.ROPC_PASSWORD);
  if (!stdin.isTTY) return Promise.reject(new Error('no terminal to ask for the password: set ROPC_PASSWORD'));
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, output: stdout, terminal: true });
    rl._writeToOutput = (s) => { if (s.startsWith(prompt)) stdout.write(prompt); };
    rl.question(prompt, (answer) => {
      rl.close();
      stdout.write('\n');
      resolve(answer);
    });
  });
}

/** Reads a one-time code from the terminal (shown as typed, like authenticator apps show it). */
function askCode(prompt) {
  if (env.ROPC_OTP) return Promise.resolve(env.ROPC_OTP);
  if (!stdin.isTTY) return Promise.reject(new Error('the server asks for a one-time code and there is no terminal: set ROPC_OTP'));
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, output: stdout, terminal: true });
    rl.question(prompt, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

/** What the user sees when the server refuses: err.kind names the situation for every provider. */
const REFUSED = {
  invalid_credentials: 'wrong username or password',
  mfa_invalid_code: 'wrong one-time code',
  mfa_denied: 'the sign-in was denied on your device',
  account_locked: 'the account is locked for now',
  account_disabled: 'the account is disabled',
  password_expired: 'the password has expired: change it first',
  account_setup_required: 'the account needs setting up first (sign in once in the browser)',
  interaction_required: 'this account must sign in in a browser',
};

async function main() {
  const client = await createClient({
    issuer, // discovery (RFC 8414) finds the token, revocation and introspection endpoints
    clientId: env.ROPC_CLIENT_ID ?? 'client_id',
    clientSecret: env.ROPC_CLIENT_SECRET ?? 'client_secret',
    timeoutMs: 10_000,
  });
  const password = await askPassword(`password for ${username}: `);
  let token;
  try {
    // signIn is the password grant plus a second factor when the server asks for one.
    token = await client.signIn({
      username, password, scope: env.ROPC_SCOPE ?? 'read write',
      onChallenge: async (c) => {
        if (c.type === 'oob') {
          console.log(`approve the sign-in on your device${c.bindingCode ? ` (it shows ${c.bindingCode})` : ''}; waiting`);
          return undefined;
        }
        if (c.type === 'select_authenticator') return c.authenticators[0].id;
        return askCode(c.type === 'recovery_code' ? 'recovery code: ' : 'one-time code: ');
      },
      signal: AbortSignal.timeout(5 * 60_000),
    });
  } catch (e) {
    if (e instanceof OAuthError && REFUSED[e.kind]) {
      stderr.write(`sign-in refused: ${REFUSED[e.kind]} (${e.code})${e.retryAfter ? `; try again in ${e.retryAfter} s` : ''}\n`);
      exit(1);
    }
    throw e;
  }
  console.log(`signed in as ${username}: ${token.tokenType} token, scope "${token.scope}", ` +
    `expires ${token.expiresAt ? new Date(token.expiresAt).toISOString() : 'at an unknown time'}`);

  // A session keeps the token fresh and adds Authorization: Bearer.
  const session = client.session(token, {
    onTokenChange: () => console.log('token refreshed (a real app would store it now)'),
  });
  const meta = await client.discover();
  if (meta.userinfoEndpoint) {
    const res = await session.fetch(meta.userinfoEndpoint);
    console.log(`userinfo: HTTP ${res.status} ${JSON.stringify(await res.json())}`);
  }

  // The session's token, not the first one: if the session refreshed (a 401
  // invalid_token above), the first refresh token is spent, and reusing a
  // rotated refresh token revokes the whole grant (RFC 9700 §4.14.2).
  if (!session.token.refreshToken) {
    console.log('no refresh token: the next sign-in asks for the password again');
    client.close();
    return;
  }
  const refreshed = await client.refresh(session.token.refreshToken);
  console.log(`refreshed: new access token, expires ${new Date(refreshed.expiresAt).toISOString()}`);
  // Not every server has revocation (RFC 7009) and introspection (RFC 7662).
  if (meta.revocationEndpoint) await client.revoke(refreshed.refreshToken, { hint: 'refresh_token' });
  if (meta.revocationEndpoint && meta.introspectionEndpoint) {
    const after = await client.introspect(refreshed.accessToken);
    console.log(`revoked: the refresh token and its access tokens are now inactive (active=${after.active})`);
  }
  client.close();
}

main().catch((e) => {
  stderr.write(`${e.name}: ${e.message}\n`);
  exit(1);
});
