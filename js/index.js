// ropc: OAuth 2.0 password grant (RFC 6749 §4.3) for Node.js, Electron and
// browsers, over the same Go core as the Go SDK (compiled to WebAssembly).
// Go builds requests and parses answers; this file sends them (http.js) and
// keeps the client's state.
import { OAuthError, TransportError, fromBridge } from './errors.js';
import { createDPoP } from './dpop.js';
import { Inflight, checkURL, send } from './http.js';
import { loadCore } from './loader.js';
import { createSession } from './session.js';

export { OAuthError, TransportError };

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1 << 20; // 1 MiB, as the Go SDK

/** Creates a client; with `issuer` and no `tokenUrl` it runs discovery (RFC 8414) first. */
export async function createClient(options = {}) {
  const o = { ...options };
  const allow = o.allowInsecureHttp === true;
  if (!o.tokenUrl && !o.issuer) {
    throw new TransportError('ropc: createClient needs tokenUrl or issuer', { reason: 'invalid_input' });
  }
  const authMethod = o.authMethod ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(authMethod)) {
    throw new TransportError(`ropc: authMethod must be one of ${AUTH_METHODS.join(', ')}`, { reason: 'invalid_input' });
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
  const endpoints = {
    token: o.tokenUrl ? checkURL(o.tokenUrl, allow, 'token endpoint') : '',
    revocation: o.revocationUrl ? checkURL(o.revocationUrl, allow, 'revocation endpoint') : '',
    introspection: o.introspectionUrl ? checkURL(o.introspectionUrl, allow, 'introspection endpoint') : '',
  };
  const issuer = o.issuer ? checkURL(o.issuer, allow, 'issuer') && o.issuer : '';
  const core = await loadCore();
  // RFC 9449: `dpop: true` or `dpop: { keyPair, allowBearer }` (dpop.js).
  const dpop = await createDPoP(o.dpop, (fn, ...args) => {
    const out = JSON.parse(core[fn](...args));
    if (out.error) throw fromBridge(out.error, 'DPoP');
    return out.ok;
  });
  const client = new Client(core, {
    fetchFn, timeoutMs, maxResponseBytes, allow, issuer, endpoints, dpop,
    auth: { clientId: o.clientId ?? '', clientSecret: o.clientSecret ?? '', authMethod },
  });
  if (!endpoints.token) await client.discover();
  return client;
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
    const endpoint = this.#endpoint('token');
    const scopes = scopeList(scope);
    const req = this.#build('buildPasswordRequest', 'token request', endpoint,
      str(username), str(password), scopes.join(' '), paramString(params));
    const token = await this.#tokenCall(req, 'token request', [str(password)]);
    // RFC 6749 §5.1: an omitted scope is the scope that was requested.
    if (!token.scope && scopes.length) token.scope = scopes.join(' ');
    return token;
  }

  /** RFC 6749 §6: a new token for a refresh token; keeps the old one if none is returned. */
  async refresh(refreshToken, { scope, params } = {}) {
    const endpoint = this.#endpoint('token');
    const scopes = scopeList(scope);
    const req = this.#build('buildRefreshRequest', 'refresh request', endpoint,
      str(refreshToken), scopes.join(' '), paramString(params));
    const token = await this.#tokenCall(req, 'refresh request', [str(refreshToken)]);
    // RFC 6749 §6: the server MAY issue a new refresh token; without one the
    // client keeps using the old.
    if (token.refreshToken === null && refreshToken) redactable(token).refreshToken = refreshToken;
    if (!token.scope && scopes.length) token.scope = scopes.join(' ');
    return token;
  }

  /** RFC 7009: revokes a token; resolves to undefined. */
  async revoke(token, { hint } = {}) {
    const endpoint = await this.#optionalEndpoint('revocation');
    const req = this.#build('buildRevocation', 'revocation request', endpoint, str(token), str(hint));
    const res = await this.#sendProof(req, 'revocation request');
    this.#parse('parseRevocation', 'revocation request', res, [str(token)]);
  }

  /** RFC 7662: asks the server whether a token is active. */
  async introspect(token, { hint } = {}) {
    const endpoint = await this.#optionalEndpoint('introspection');
    const req = this.#build('buildIntrospection', 'introspection request', endpoint, str(token), str(hint));
    const res = await this.#sendProof(req, 'introspection request');
    return this.#parse('parseIntrospection', 'introspection request', res, [str(token)]);
  }

  /** A token holder that refreshes before expiry, sharing one in-flight refresh. */
  session(token, options = {}) {
    if (!token || typeof token.accessToken !== 'string') {
      throw new TransportError('ropc: session needs a token from passwordGrant or refresh', { reason: 'invalid_input' });
    }
    const { dpop } = this.#cfg;
    // RFC 9449 §5: a DPoP token is usable only with the key (checked once here;
    // refreshed tokens are checked as they arrive).
    this.#call('checkTokenType', 'session', token.tokenType ?? '', dpop ? '1' : '', '1');
    return createSession(this, token, options, {
      fetchFn: this.#cfg.fetchFn,
      bearerChallenge: (header) => this.#call('parseBearerChallenge', 'bearer challenge', header),
      dpop,
    });
  }

  /** RFC 7638 thumbprint of the DPoP key (the jkt tokens are bound to), or null without DPoP. */
  get dpopThumbprint() {
    return this.#cfg.dpop?.thumbprint ?? null;
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

  async #discover() {
    const { issuer, allow, endpoints } = this.#cfg;
    if (!issuer) {
      throw new TransportError('ropc: discovery needs an issuer', { reason: 'invalid_input' });
    }
    const urls = this.#call('discoveryURLs', 'discovery', issuer);
    let last;
    for (const url of urls) {
      const res = await this.#send({ method: 'GET', url, headers: { accept: 'application/json' }, body: '' }, 'discovery request');
      if (res.status === 404) {
        last = res;
        continue;
      }
      const m = this.#parse('parseMetadata', 'discovery request', res, [], issuer);
      if (!endpoints.token) endpoints.token = checkURL(m.tokenEndpoint, allow, 'token endpoint');
      if (!endpoints.revocation && m.revocationEndpoint) endpoints.revocation = checkURL(m.revocationEndpoint, allow, 'revocation endpoint');
      if (!endpoints.introspection && m.introspectionEndpoint) {
        endpoints.introspection = checkURL(m.introspectionEndpoint, allow, 'introspection endpoint');
      }
      return m;
    }
    throw new TransportError(`ropc: discovery found no metadata for the issuer (HTTP ${last?.status})`, {
      reason: 'http_status', status: last?.status ?? 0,
    });
  }

  #endpoint(kind) {
    if (this.#closed) throw new TransportError('ropc: the client is closed', { reason: 'closed' });
    const url = this.#cfg.endpoints[kind];
    if (!url) throw new TransportError(`ropc: no ${kind} endpoint configured`, { reason: 'invalid_input' });
    return url;
  }

  async #optionalEndpoint(kind) {
    if (!this.#cfg.endpoints[kind] && this.#cfg.issuer) await this.discover();
    if (!this.#cfg.endpoints[kind]) {
      throw new TransportError(`ropc: no ${kind} endpoint: pass issuer (discovery) or ${kind}Url to createClient`, {
        reason: 'invalid_input',
      });
    }
    return this.#endpoint(kind);
  }

  #build(fn, what, endpoint, ...args) {
    const { clientId, clientSecret, authMethod } = this.#cfg.auth;
    return this.#call(fn, what, endpoint, clientId, clientSecret, authMethod, ...args);
  }

  #call(fn, what, ...args) {
    return this.#callScrubbed(fn, what, [], ...args);
  }

  /** Calls the core; a failure becomes an error class with `secrets` scrubbed from server text. */
  #callScrubbed(fn, what, secrets, ...args) {
    const out = JSON.parse(this.#core[fn](...args));
    if (out.error) throw fromBridge(out.error, what, [this.#cfg.auth.clientSecret, ...secrets]);
    return out.ok;
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

  async #tokenCall(req, what, secrets) {
    const res = await this.#sendProof(req, what);
    const token = this.#parse('parseTokenResponse', what, res, secrets);
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
