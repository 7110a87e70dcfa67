#!/usr/bin/env node
// Sign in from a Node.js script with the ropc package: password grant, a call
// to a protected resource through a session, refresh, revoke.
//
//   make mock                       # in another terminal: the mock on 127.0.0.1:8080
//   make js && cd examples/node && npm install && node signin.mjs johndoe
//
// Settings come from the environment: ROPC_ISSUER (default
// http://127.0.0.1:8080), ROPC_CLIENT_ID, ROPC_CLIENT_SECRET, ROPC_SCOPE and,
// for non-interactive use only, ROPC_PASSWORD. Tokens are never printed.
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
    token = await client.passwordGrant({ username, password, scope: env.ROPC_SCOPE ?? 'read write' });
  } catch (e) {
    // RFC 6749 §5.2: invalid_grant from the password grant means wrong
    // credentials; from a refresh it means the grant ended, not a typo.
    if (e instanceof OAuthError && e.code === 'invalid_grant') {
      stderr.write(`sign-in refused: wrong username or password (${e.code})\n`);
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
  const refreshed = await client.refresh(session.token.refreshToken);
  console.log(`refreshed: new access token, expires ${new Date(refreshed.expiresAt).toISOString()}`);
  await client.revoke(refreshed.refreshToken, { hint: 'refresh_token' });
  const after = await client.introspect(refreshed.accessToken);
  console.log(`revoked: the refresh token and its access tokens are now inactive (active=${after.active})`);
  client.close();
}

main().catch((e) => {
  stderr.write(`${e.name}: ${e.message}\n`);
  exit(1);
});
