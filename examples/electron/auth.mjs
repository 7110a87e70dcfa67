// The sign-in logic of the Electron example's main process, free of Electron
// so Node tests cover it. Tokens stay in the main process: the renderer gets
// only summaries (who is signed in, until when), never a token.
import { OAuthError, TransportError, createClient } from 'ropc';

const SESSION_NAME = 'default';

/**
 * @param {object} options
 * @param {string} options.issuer      discovery (RFC 8414) of the endpoints
 * @param {string} options.clientId
 * @param {string} [options.clientSecret]
 * @param {typeof fetch} [options.fetch] Electron's net.fetch in the app (system proxy, certificates)
 * @param {(token: object|null) => void} [options.onTokenChange] told of every new token (and null on sign-out)
 * @param {import('ropc').TokenStore} [options.store] keeps the session between runs (ropc/electron's safeStorage store)
 */
export async function createAuthService({ issuer, clientId, clientSecret, fetch, onTokenChange, store }) {
  const client = await createClient({ issuer, clientId, clientSecret, fetch, timeoutMs: 15_000 });
  let session = null;
  let username = null;
  if (store) {
    // The session saved last time, if any; a damaged or foreign one means signing in again.
    session = await client.resume(store, SESSION_NAME, { onTokenChange }).catch(() => null);
  }

  const summary = () => session
    ? { signedIn: true, username, scope: session.token.scope, expiresAt: session.token.expiresAt }
    : { signedIn: false };

  return {
    async signIn(user, password) {
      if (typeof user !== 'string' || typeof password !== 'string' || !user || !password) {
        return { signedIn: false, error: 'Enter a username and a password.' };
      }
      try {
        const token = await client.passwordGrant({ username: user, password, scope: 'read' });
        session = client.session(token, { onTokenChange, ...(store && { store, name: SESSION_NAME }) });
        username = user;
        onTokenChange?.(token);
        await session.saved; // with a store: kept before the renderer hears "signed in"
        return summary();
      } catch (e) {
        return { signedIn: false, error: describe(e) };
      }
    },

    async signOut() {
      const held = session?.token;
      session = null;
      username = null;
      onTokenChange?.(null);
      await store?.delete(SESSION_NAME);
      // RFC 7009 §2.1: revoking the refresh token ends the whole grant.
      if (held?.refreshToken) await client.revoke(held.refreshToken, { hint: 'refresh_token' }).catch(() => {});
      return summary();
    },

    status: async () => summary(),

    /** A call to a protected resource on the user's behalf, made in the main process. */
    async userinfo() {
      if (!session) return { signedIn: false, error: 'Not signed in.' };
      try {
        const meta = await client.discover();
        const res = await session.fetch(meta.userinfoEndpoint);
        return { ...summary(), status: res.status, claims: res.ok ? await res.json() : null };
      } catch (e) {
        if (e instanceof OAuthError && e.code === 'invalid_grant') {
          session = null; // the refresh token is gone: sign in again
        }
        return { ...summary(), error: describe(e) };
      }
    },

    close() { client.close(); },
  };
}

/** A message for people; never a secret (the ropc errors hold none). */
function describe(e) {
  if (e instanceof OAuthError) {
    if (e.code === 'invalid_grant') return 'Wrong username or password.';
    if (e.code === 'invalid_client') return 'This app is not registered with the server (invalid_client).';
    return `The server refused: ${e.code}${e.description ? ` (${e.description})` : ''}`;
  }
  if (e instanceof TransportError) {
    return e.reason === 'timeout' || e.reason === 'network'
      ? 'The server cannot be reached. Check the connection and try again.'
      : `Sign-in failed: ${e.message}`;
  }
  return 'Sign-in failed.';
}
