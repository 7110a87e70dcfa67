// A session holds one token and keeps it fresh: one shared in-flight refresh,
// because refresh tokens rotate (RFC 9700 §4.14.2) and a second concurrent
// refresh with the same token would be refused — or revoke the whole family.
// When to refresh, what a failed refresh means and when to ask the user to
// sign in again are sdk/core's rules (core.RefreshAt, core.NextTokenStep,
// core.AfterRefreshFailure), reached through `rules`; this file only keeps
// the state and calls fetch.
import { OAuthError, TransportError } from './errors.js';

/** Internal refresh option: the scope granted before (core.GrantedScope). */
export const PREVIOUS_SCOPE = Symbol('ropc.previousScope');

export function createSession(client, token, { onTokenChange, marginMs, store, name } = {},
  { fetchFn, rules, encode, initialSave = false, dpop }) {
  const margin = rules.refreshMargin(marginMs); // throws for a negative margin
  let current = token;
  let refreshing = null;
  let retryAt = null; // after a transient failure: when to try again (core.AfterRefreshFailure)
  let dead = null; // the refresh token was rejected: sign in again, until a new session

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

  // When `current` is due for refresh (core.RefreshAt, through tokenStep), computed once per token
  // and retry time, so the common path is a clock comparison, as in the Go TokenSource.
  let due = null;
  const dueAt = () => {
    if (due?.token !== current || due.retryAt !== retryAt) {
      due = { token: current, retryAt, at: rules.tokenStep(current, false, margin, retryAt, Date.now()).refreshAt };
    }
    return due.at; // null: never due (unknown expiry)
  };

  // The Authorization scheme for a token type (core.ResourceScheme: Bearer, DPoP with a key, or
  // an error for a type the client does not understand), kept per type: asked on every request.
  const schemes = new Map();
  const schemeFor = (tokenType) => {
    const t = tokenType ?? '';
    let s = schemes.get(t);
    if (s === undefined) {
      s = rules.resourceScheme(t); // throws for a type RFC 6749 §7.1 forbids using
      if (schemes.size >= 16) schemes.clear();
      schemes.set(t, s);
    }
    return s;
  };

  const signInAgain = (reason, cause) =>
    new TransportError(`ropc: ${reason}: sign in again`, { reason: 'sign_in_again', cause });

  async function doRefresh(forced) {
    const old = current;
    let next;
    try {
      next = await client.refresh(old.refreshToken, { [PREVIOUS_SCOPE]: old.scope ?? '' });
    } catch (e) {
      if (e instanceof TransportError && e.reason === 'closed') throw e;
      const f = rules.refreshFailure(e instanceof OAuthError ? e.code : '', forced, old, Date.now());
      if (f.step === 'sign_in_again') {
        dead = signInAgain(f.reason, e);
        throw dead;
      }
      if (f.step === 'use') {
        retryAt = f.retryAt;
        return old;
      }
      throw e;
    }
    current = next;
    retryAt = null;
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

  function refreshOnce(forced) {
    refreshing ??= doRefresh(forced).finally(() => { refreshing = null; });
    return refreshing;
  }

  // The token to send now (core.NextTokenStep), refreshed first when due.
  async function currentToken() {
    if (dead) throw dead;
    if (refreshing) return refreshing;
    // core.NextTokenStep's "use" for a token with an access token and not yet due, without the call.
    const at = dueAt();
    if (current.accessToken && (at === null || Date.now() < at)) return current;
    const { step, reason } = rules.tokenStep(current, false, margin, retryAt, Date.now());
    if (step === 'use') return current;
    if (step === 'sign_in_again') throw signInAgain(reason);
    return refreshOnce(false);
  }

  async function accessToken() {
    return (await currentToken()).accessToken;
  }

  // The absolute URL a request goes to (the htu of its proof, the origin of its nonce).
  const requestURL = (input) => (input instanceof Request ? input.url : new URL(input, globalThis.location?.href).href);

  // RFC 6750 §2.1 Bearer, or RFC 9449 §7.1 DPoP with a proof for this request
  // (the scheme is the core's answer for the token's type).
  async function withToken(input, init, tok) {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const scheme = schemeFor(tok.tokenType);
    headers.set('authorization', `${scheme} ${tok.accessToken}`);
    if (scheme === 'DPoP') {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      headers.set('dpop', await dpop.proof(method.toUpperCase(), requestURL(input), tok.accessToken));
    }
    return fetchFn(input, { ...init, headers });
  }

  // A resource server's DPoP-Nonce is kept; true when it demands one (RFC 9449 §9).
  function nonceDemanded(input, res, tok) {
    if (!dpop || !res.headers.has('dpop-nonce') || schemeFor(tok.tokenType) !== 'DPoP') return false;
    return dpop.observe(requestURL(input), {
      status: res.status, wwwAuthenticate: res.headers.get('www-authenticate') ?? '', dpopNonce: res.headers.get('dpop-nonce'),
    });
  }

  async function sessionFetch(input, init = {}) {
    // A URL object goes on as a string: Electron's net.fetch takes no URL.
    if (input instanceof URL) input = input.href;
    const isRequest = typeof Request === 'function' && input instanceof Request;
    // Copies for the retries (a nonce demand, then a refused token); a
    // streamed body cannot be sent twice, so such a request is not retried.
    const replayable = !(typeof ReadableStream === 'function' && init.body instanceof ReadableStream);
    const copies = isRequest ? [input.clone(), input.clone()] : [input, input];
    const tok = await currentToken();
    let res = await withToken(input, init, tok);
    if (nonceDemanded(input, res, tok) && replayable) {
      res.body?.cancel().catch(() => {});
      res = await withToken(copies.shift(), init, tok);
    }
    if (res.status !== 401 || !replayable) return res;
    // RFC 6750 §3.1 / RFC 9449 §7.1: invalid_token means this token was refused (revoked,
    // expired early); any other 401 is not fixed by refreshing (core.RefusesToken decides).
    // Headers.get joins several WWW-Authenticate lines with ", ", as core.ChallengeHeader does.
    if (!rules.refusesToken(res.headers.get('www-authenticate') ?? '')) return res;
    if (current.accessToken === tok.accessToken) {
      const { step } = rules.tokenStep(current, true, margin, retryAt, Date.now());
      if (step === 'hand_back') return res; // nothing to refresh with: the 401 goes to the caller
      await refreshOnce(true);
    }
    res.body?.cancel().catch(() => {});
    return withToken(copies.shift(), init, current);
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
