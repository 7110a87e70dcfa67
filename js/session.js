// A session holds one token and keeps it fresh: one shared in-flight refresh,
// because refresh tokens rotate (RFC 9700 §4.14.2) and a second concurrent
// refresh with the same token would be refused — or revoke the whole family.
import { TransportError } from './errors.js';

const DEFAULT_MARGIN_MS = 60_000;

export function createSession(client, token, { onTokenChange, marginMs = DEFAULT_MARGIN_MS, store, name } = {},
  { fetchFn, bearerChallenge, encode, initialSave = false }) {
  let current = token;
  let refreshing = null;

  // With a store, every token the session holds is saved under name, one write at a time, in
  // the order the tokens arrived (a slow early write must not overwrite a later token).
  let writes = Promise.resolve();
  function save(t) {
    if (!store) return Promise.reject(new TransportError('ropc: this session has no store', { reason: 'invalid_input' }));
    let record;
    try {
      record = encode(t); // the record layout lives in the Go core
    } catch (e) {
      return Promise.reject(e);
    }
    const write = writes.then(() => store.save(name, record)).catch((e) => {
      throw new TransportError(`ropc: the token could not be saved as "${name}": ${e?.message ?? e}`, { reason: 'store', cause: e });
    });
    writes = write.catch(() => {});
    return write;
  }

  // Unknown expiry counts as fresh (the server's 401 invalid_token will say
  // otherwise). The margin is capped at half the token's lifetime, so a token
  // that lives shorter than marginMs is not refreshed on every call.
  const fresh = (t) => {
    if (t.expiresAt == null) return true;
    const margin = t.expiresIn > 0 ? Math.min(marginMs, (t.expiresIn * 1000) / 2) : marginMs;
    return Date.now() + margin < t.expiresAt;
  };

  async function doRefresh() {
    if (!current.refreshToken) {
      throw new TransportError('ropc: the access token has expired and there is no refresh token: sign in again', {
        reason: 'sign_in_again',
      });
    }
    const next = await client.refresh(current.refreshToken);
    // RFC 6749 §5.1: an omitted scope is unchanged.
    if (!next.scope) next.scope = current.scope;
    current = next;
    // Saved before anyone gets the token: the old refresh token may be dead now (rotation), so
    // a token that is not saved is lost at the next start. If the save fails, the refresh
    // rejects with reason 'store' but the session keeps the new token; session.save() retries.
    if (store) await save(next);
    if (onTokenChange) {
      // Called, not awaited: a slow or failing listener (storage full, say)
      // must not hold up or fail the request that needed the token.
      try {
        Promise.resolve(onTokenChange(next)).catch(() => {});
      } catch {
        // a synchronous throw is ignored for the same reason
      }
    }
    return next;
  }

  function refreshOnce() {
    refreshing ??= doRefresh().finally(() => { refreshing = null; });
    return refreshing;
  }

  async function accessToken() {
    if (refreshing) return (await refreshing).accessToken;
    if (fresh(current)) return current.accessToken;
    return (await refreshOnce()).accessToken;
  }

  function withBearer(input, init, at) {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${at}`);
    return fetchFn(input, { ...init, headers });
  }

  async function sessionFetch(input, init = {}) {
    // A URL object goes on as a string: Electron's net.fetch takes no URL.
    if (input instanceof URL) input = input.href;
    const again = typeof Request === 'function' && input instanceof Request ? input.clone() : input;
    const at = await accessToken();
    const res = await withBearer(input, init, at);
    if (res.status !== 401) return res;
    // RFC 6750 §3.1: invalid_token means this token was refused (revoked,
    // expired early); any other 401 is not fixed by refreshing.
    const challenge = bearerChallenge(res.headers.get('www-authenticate') ?? '');
    if (!challenge.bearer || challenge.params.error !== 'invalid_token') return res;
    if (current.accessToken === at) await refreshOnce();
    res.body?.cancel().catch(() => {});
    return withBearer(again, init, current.accessToken);
  }

  // A new session from a fresh sign-in is a change too. `saved` settles when that first write
  // does; its rejection is handled here so an app that does not await it is not crashed by it.
  const saved = store && initialSave ? save(current) : Promise.resolve();
  saved.catch(() => {});

  return {
    accessToken,
    fetch: sessionFetch,
    /** Settles once the session's first token is saved (rejects with reason 'store' if not). */
    saved,
    /** Saves the token held now to the session's store. */
    save: () => save(current),
    /** The token held now (after any refresh). */
    get token() { return current; },
  };
}
