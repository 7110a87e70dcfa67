// A session holds one token and keeps it fresh: one shared in-flight refresh,
// because refresh tokens rotate (RFC 9700 §4.14.2) and a second concurrent
// refresh with the same token would be refused — or revoke the whole family.
import { TransportError } from './errors.js';

const DEFAULT_MARGIN_MS = 60_000;

export function createSession(client, token, { onTokenChange, marginMs = DEFAULT_MARGIN_MS } = {}, { fetchFn, bearerChallenge, dpop }) {
  let current = token;
  let refreshing = null;

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

  async function currentToken() {
    if (refreshing) return refreshing;
    if (fresh(current)) return current;
    return refreshOnce();
  }

  async function accessToken() {
    return (await currentToken()).accessToken;
  }

  // RFC 6750 §2.1 Bearer, or RFC 9449 §7.1 DPoP with a proof for this request
  // (the scheme is the core's answer for the token's type).
  async function withToken(input, init, tok) {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const scheme = dpop ? dpop.scheme(tok.tokenType) : 'Bearer';
    headers.set('authorization', `${scheme} ${tok.accessToken}`);
    if (scheme === 'DPoP') {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const url = input instanceof Request ? input.url : new URL(input, globalThis.location?.href).href;
      headers.set('dpop', await dpop.proof(method.toUpperCase(), url, tok.accessToken));
    }
    return fetchFn(input, { ...init, headers });
  }

  // A resource server's DPoP-Nonce is kept; true when it demands one (RFC 9449 §9).
  function nonceDemanded(input, res, tok) {
    if (!dpop || !res.headers.has('dpop-nonce') || dpop.scheme(tok.tokenType) !== 'DPoP') return false;
    const url = input instanceof Request ? input.url : new URL(input, globalThis.location?.href).href;
    return dpop.observe(url, {
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
    // RFC 6750 §3.1 / RFC 9449 §7.1: invalid_token means this token was
    // refused (revoked, expired early); any other 401 is not fixed by refreshing.
    const header = res.headers.get('www-authenticate') ?? '';
    const challenge = bearerChallenge(header);
    const refused = (challenge.bearer && challenge.params.error === 'invalid_token') ||
      (dpop && dpop.refusedToken(header));
    if (!refused) return res;
    if (current.accessToken === tok.accessToken) await refreshOnce();
    res.body?.cancel().catch(() => {});
    return withToken(copies.shift(), init, current);
  }

  return {
    accessToken,
    fetch: sessionFetch,
    /** The token held now (after any refresh). */
    get token() { return current; },
  };
}
