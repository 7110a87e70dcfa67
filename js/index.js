// ropc: OAuth 2.0 password grant (RFC 6749 §4.3) for Node.js, Electron and
// browsers, over the same Go core as the Go SDK (compiled to WebAssembly).
// Go builds requests and parses answers; this file sends them (http.js) and
// keeps the client's state.
import { OAuthError, TransportError, fromBridge } from './errors.js';
import { createDPoP } from './dpop.js';
import { Inflight, send } from './http.js';
import { loadCore } from './loader.js';
import { PREVIOUS_SCOPE, createSession } from './session.js';

export { OAuthError, TransportError };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1 << 20; // 1 MiB, as the Go SDK

/**
 * Creates a client. It does no I/O: with `issuer` and no `tokenUrl`, discovery
 * (RFC 8414) runs on the first call that needs an endpoint (core.NeedsDiscovery,
 * the same rule as the Go SDK); `discover()` runs it at once.
 */
export async function createClient(options = {}) {
  const o = { ...options };
  const allow = o.allowInsecureHttp === true;
  if (!o.tokenUrl && !o.issuer) {
    throw new TransportError('ropc: createClient needs tokenUrl or issuer', { reason: 'invalid_input' });
  }
  const fetchFn = o.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new TransportError('ropc: no fetch function: pass one as options.fetch', { reason: 'invalid_input' });
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxResponseBytes = o.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  if (!(timeoutMs > 0) || !(maxResponseBytes > 0)) {
    throw new TransportError('ropc: timeoutMs and maxResponseBytes must be positive', { reason: 'invalid_input' });
  }
  const core = await loadCore(o.wasm);
  // Every rule below is sdk/core's (plain http, the default auth method), through the bridge.
  const rule = (fn, ...args) => callCore(core, fn, 'createClient', [], ...args);
  const endpoint = (url, what) => (url ? rule('checkEndpoint', what, str(url), flag(allow)) : '');
  const endpoints = {
    token: endpoint(o.tokenUrl, 'token endpoint'),
    revocation: endpoint(o.revocationUrl, 'revocation endpoint'),
    introspection: endpoint(o.introspectionUrl, 'introspection endpoint'),
  };
  const issuer = o.issuer ? rule('checkIssuer', str(o.issuer), flag(allow)) : '';
  const authMethod = rule('resolveAuthMethod', str(o.authMethod), str(o.clientSecret));
  // RFC 9449: `dpop: true` or `dpop: { keyPair, allowBearer }` (dpop.js).
  const dpop = await createDPoP(o.dpop, (fn, ...args) => callCore(core, fn, 'DPoP', [], ...args));
  return new Client(core, {
    fetchFn, timeoutMs, maxResponseBytes, allow, issuer, endpoints, dpop,
    // As configured, before discovery: what a saved token records it belongs to.
    configured: { tokenUrl: endpoints.token, revocationUrl: endpoints.revocation },
    auth: { clientId: o.clientId ?? '', clientSecret: o.clientSecret ?? '', authMethod },
  });
}

/** Calls the core; a failure becomes an error class with `secrets` scrubbed from server text. */
function callCore(core, fn, what, secrets, ...args) {
  const out = JSON.parse(core[fn](...args));
  if (out.error) throw fromBridge(out.error, what, secrets);
  return out.ok;
}

class Client {
  #core;
  #cfg; // holds the client secret: private, so it never shows in console.log
  #inflight = new Inflight();
  #closed = false;
  #discovery;

  constructor(core, cfg) {
    this.#core = core;
    this.#cfg = cfg;
  }

  /** RFC 6749 §4.3.2: exchanges a username and password for a token. */
  async passwordGrant({ username, password, scope, params } = {}) {
    const endpoint = await this.#endpoint('token');
    const scopes = scopeList(scope).join(' ');
    const req = this.#build('buildPasswordRequest', 'token request', endpoint,
      str(username), str(password), scopes, paramString(params));
    // core.GrantedScope: an omitted scope is the scope that was requested.
    return this.#tokenCall(req, 'token request', [str(password)], scopes, '', '');
  }

  /** RFC 6749 §6: a new token for a refresh token; keeps the old one if none is returned. */
  async refresh(refreshToken, { scope, params, [PREVIOUS_SCOPE]: previousScope } = {}) {
    const endpoint = await this.#endpoint('token');
    const scopes = scopeList(scope).join(' ');
    const req = this.#build('buildRefreshRequest', 'refresh request', endpoint,
      str(refreshToken), scopes, paramString(params));
    // core.KeptRefreshToken and core.GrantedScope: without a new refresh token
    // the old one stays (RFC 6749 §6); an omitted scope is the requested one,
    // or the previous grant's (the session passes it).
    return this.#tokenCall(req, 'refresh request', [str(refreshToken)], scopes, str(refreshToken), str(previousScope));
  }

  /** RFC 7009: revokes a token; resolves to undefined. */
  async revoke(token, { hint } = {}) {
    const endpoint = await this.#endpoint('revocation');
    const req = this.#build('buildRevocation', 'revocation request', endpoint, str(token), str(hint));
    const res = await this.#sendProof(req, 'revocation request');
    this.#parse('parseRevocation', 'revocation request', res, [str(token)]);
  }

  /** RFC 7662: asks the server whether a token is active. */
  async introspect(token, { hint } = {}) {
    const endpoint = await this.#endpoint('introspection');
    const req = this.#build('buildIntrospection', 'introspection request', endpoint, str(token), str(hint));
    const res = await this.#sendProof(req, 'introspection request');
    return this.#parse('parseIntrospection', 'introspection request', res, [str(token)]);
  }

  /**
   * A token holder that refreshes before expiry, sharing one in-flight refresh. With
   * `{ store, name }` it saves the token now and after every refresh (see ropc/electron).
   */
  session(token, options = {}) {
    if (!token || typeof token.accessToken !== 'string') {
      throw new TransportError('ropc: session needs a token from passwordGrant or refresh', { reason: 'invalid_input' });
    }
    if (options.store !== undefined || options.name !== undefined) this.#checkStore(options.store, options.name);
    return this.#session(token, options, true);
  }

  /**
   * Resumes the session saved under `name` in `store`: a token for another client or server is
   * refused (the rule lives in the Go core). Rejects with reason 'not_saved' when there is none.
   */
  async resume(store, name, options = {}) {
    this.#checkStore(store, name);
    const record = await store.load(name);
    if (record == null) {
      throw new TransportError(`ropc: no saved token "${name}": sign in and start a session with { store, name } first`, {
        reason: 'not_saved',
      });
    }
    const saved = this.#call('unmarshalSavedToken', 'saved token', String(record), this.#cfg.configured.tokenUrl,
      this.#cfg.issuer, this.#cfg.auth.clientId);
    return this.#session(redactable(saved.token), { ...options, store, name }, false);
  }

  #session(token, options, initialSave) {
    const { dpop } = this.#cfg;
    // RFC 9449 §5: a DPoP token is usable only with the key (checked once here;
    // refreshed tokens are checked as they arrive).
    this.#call('checkTokenType', 'session', token.tokenType ?? '', dpop ? '1' : '', '1');
    const rule = (fn, ...args) => this.#call(fn, 'session', ...args);
    const num = (v) => (v == null ? '' : String(Math.trunc(v)));
    return createSession(this, token, options, {
      fetchFn: this.#cfg.fetchFn,
      bearerChallenge: (header) => this.#call('parseBearerChallenge', 'bearer challenge', header),
      dpop,
      // sdk/core's refresh margin, "sign in again" and retry rules, as package sdk's TokenSource applies them.
      rules: {
        refreshMargin: (ms) => rule('refreshMargin', ms == null ? '' : String(ms)),
        tokenStep: (t, rejected, marginMs, retryAt, now) => rule('tokenStep', flag(t), flag(t?.accessToken),
          flag(t?.refreshToken), flag(rejected), num(t?.expiresAt), num(t?.expiresIn), num(marginMs), num(retryAt), num(now)),
        refreshFailure: (code, forced, t, now) => rule('refreshFailure', str(code), flag(forced), flag(t?.accessToken),
          num(t?.expiresAt), num(now)),
      },
      // The saved record's layout lives in the Go core too.
      encode: (t) => this.#call('marshalSavedToken', 'saved token', JSON.stringify({
        token: t,
        tokenUrl: this.#cfg.configured.tokenUrl,
        issuer: this.#cfg.issuer,
        revocationUrl: this.#cfg.configured.revocationUrl,
        clientId: this.#cfg.auth.clientId,
        authMethod: this.#cfg.auth.authMethod,
      })),
      initialSave,
    });
  }

  /** RFC 7638 thumbprint of the DPoP key (the jkt tokens are bound to), or null without DPoP. */
  get dpopThumbprint() {
    return this.#cfg.dpop?.thumbprint ?? null;
  }

  #checkStore(store, name) {
    if (!store || typeof store.load !== 'function' || typeof store.save !== 'function' || typeof store.delete !== 'function') {
      throw new TransportError('ropc: store must have load, save and delete (see ropc/electron)', { reason: 'invalid_input' });
    }
    this.#call('checkStoreName', 'saved token name', str(name));
  }

  /** Cancels requests in flight; later calls fail with TransportError reason 'closed'. */
  close() {
    this.#closed = true;
    this.#inflight.close();
  }

  /** RFC 8414: reads the issuer's metadata once; resolves to it. */
  discover() {
    this.#discovery ??= this.#discover().catch((e) => {
      this.#discovery = undefined;
      throw e;
    });
    return this.#discovery;
  }

  // core.NextDiscoveryURL picks each URL and says when to stop; this loop
  // only fetches. A failure names every URL tried with its answer.
  async #discover() {
    const { issuer, allow, endpoints } = this.#cfg;
    if (!issuer) {
      throw new TransportError('ropc: discovery needs an issuer', { reason: 'invalid_input' });
    }
    const tried = [];
    for (;;) {
      const url = this.#call('nextDiscoveryURL', 'discovery', issuer, JSON.stringify(tried));
      let res;
      try {
        res = await this.#send({ method: 'GET', url, headers: { accept: 'application/json' }, body: '' }, 'discovery request');
      } catch (e) {
        if (!(e instanceof TransportError) || e.reason === 'closed') throw e;
        tried.push({ url, status: e.status ?? 0, problem: e.message });
        continue;
      }
      const out = JSON.parse(this.#core.parseMetadata(res.status, res.contentType, res.wwwAuthenticate, res.body, issuer, flag(allow)));
      if (out.error) {
        tried.push({ url, status: res.status, problem: out.error.message });
        continue;
      }
      const m = out.ok; // its endpoints passed core.CheckTransportSecurity
      endpoints.token ||= m.tokenEndpoint;
      endpoints.revocation ||= m.revocationEndpoint ?? '';
      endpoints.introspection ||= m.introspectionEndpoint ?? '';
      return m;
    }
  }

  /** An endpoint, discovered first when it is not configured and there is an issuer (core.NeedsDiscovery). */
  async #endpoint(kind) {
    if (this.#closed) throw new TransportError('ropc: the client is closed', { reason: 'closed' });
    if (!this.#cfg.endpoints[kind] && this.#cfg.issuer) await this.discover();
    const url = this.#cfg.endpoints[kind];
    if (!url) {
      throw new TransportError(`ropc: no ${kind} endpoint: pass issuer (discovery) or ${kind}Url to createClient`, {
        reason: 'invalid_input',
      });
    }
    return url;
  }

  #build(fn, what, endpoint, ...args) {
    const { clientId, clientSecret, authMethod } = this.#cfg.auth;
    return this.#call(fn, what, endpoint, clientId, clientSecret, authMethod, ...args);
  }

  #call(fn, what, ...args) {
    return this.#callScrubbed(fn, what, [], ...args);
  }

  #callScrubbed(fn, what, secrets, ...args) {
    return callCore(this.#core, fn, what, [this.#cfg.auth.clientSecret, ...secrets], ...args);
  }

  #parse(fn, what, res, secrets, ...extra) {
    return this.#callScrubbed(fn, what, secrets, res.status, res.contentType, res.wwwAuthenticate, res.body, ...extra);
  }

  #send(req, what) {
    const { fetchFn, timeoutMs, maxResponseBytes } = this.#cfg;
    return send(fetchFn, req, { timeoutMs, maxBytes: maxResponseBytes, what, inflight: this.#inflight });
  }

  /**
   * Sends a token, revocation or introspection request, with a DPoP proof when
   * the client has a key, and once more when the server demands a nonce
   * (RFC 9449 §8; the body is a string, so it can be sent again).
   */
  async #sendProof(req, what) {
    const { dpop } = this.#cfg;
    if (!dpop) return this.#send(req, what);
    for (let attempt = 0; ; attempt++) {
      const headers = { ...req.headers, dpop: await dpop.proof(req.method, req.url) };
      const res = await this.#send({ ...req, headers }, what);
      if (dpop.observe(req.url, res) && attempt === 0) continue;
      return res;
    }
  }

  /** Sends a token request; the scope and refresh token the core fills in come from the caller (core.GrantedScope, core.KeptRefreshToken). */
  async #tokenCall(req, what, secrets, requestedScope = '', previousRefreshToken = '', previousScope = '') {
    const res = await this.#sendProof(req, what);
    const token = this.#parse('parseTokenResponse', what, res, secrets, requestedScope, previousRefreshToken, previousScope);
    const { dpop } = this.#cfg;
    // RFC 9449 §5: a Bearer answer to a DPoP request is refused unless allowed.
    if (dpop) this.#call('checkTokenType', what, token.tokenType, '1', dpop.allowBearer ? '1' : '');
    // Go leaves raw out for JSON bodies: JSON.parse is much cheaper here.
    token.raw ??= JSON.parse(decoder.decode(res.body));
    return redactable(token);
  }
}

const decoder = new TextDecoder();
const str = (v) => (v == null ? '' : String(v));
const flag = (v) => (v ? '1' : '');

function scopeList(scope) {
  if (scope == null) return [];
  if (Array.isArray(scope)) return scope.map(String).filter(Boolean);
  return String(scope).split(/\s+/).filter(Boolean);
}

/** Extra form parameters as a form-encoded string (an array value repeats the key, which core refuses). */
function paramString(params) {
  if (params == null) return '';
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, String(one));
  }
  return out.toString();
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * Gives a token a console.log / util.inspect form without its secrets. The
 * property is non-enumerable, so JSON.stringify and spreading are unchanged.
 */
function redactable(token) {
  Object.defineProperty(token, inspect, {
    enumerable: false,
    configurable: true,
    value() {
      return `Token { tokenType: ${JSON.stringify(this.tokenType)}, expiresAt: ${this.expiresAt}, ` +
        `scope: ${JSON.stringify(this.scope)}, accessToken: [redacted], refreshToken: ${this.refreshToken ? '[redacted]' : null} }`;
    },
  });
  return token;
}
