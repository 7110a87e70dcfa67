// ropc: OAuth 2.0 password grant (RFC 6749 §4.3) for Node.js, Electron and
// browsers, over the same Go core as the Go SDK (compiled to WebAssembly).
// Go builds requests and parses answers; this file sends them (http.js) and
// keeps the client's state.
import { OAuthError, TransportError, fromBridge } from './errors.js';
import { createDPoP } from './dpop.js';
import { Inflight, send, sleep } from './http.js';
import { loadCore } from './loader.js';
import { PREVIOUS_SCOPE, createSession } from './session.js';

export { OAuthError, TransportError };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1 << 20; // 1 MiB, as the Go SDK
// This package's option names for what core.CheckClientConfig finds missing.
const OPTION_NAMES = { client_id: 'clientId', 'token endpoint': 'tokenUrl or issuer' };

/**
 * Creates a client. It does no I/O: with `issuer` and no `tokenUrl`, discovery
 * (RFC 8414) runs on the first call that needs an endpoint (core.NeedsDiscovery,
 * the same rule as the Go SDK); `discover()` runs it at once.
 */
export async function createClient(options = {}) {
  const o = { ...options };
  const allow = o.allowInsecureHttp === true;
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
  // core.CheckClientConfig: a client id (RFC 6749 §3.2.1), and a token endpoint or an issuer, or
  // for a client that only revokes or introspects one of those endpoints; as the Go SDK.
  const config = JSON.parse(core.checkClientConfig(str(o.clientId), str(o.tokenUrl), str(o.issuer), str(o.revocationUrl),
    str(o.introspectionUrl), str(o.challengeUrl)));
  if (config.error) {
    throw new TransportError(`ropc: createClient needs ${OPTION_NAMES[config.error.param] ?? config.error.param}: ${config.error.reason}`, { reason: 'invalid_input' });
  }
  const endpoint = (url, what) => (url ? rule('checkEndpoint', what, str(url), flag(allow)) : '');
  const endpoints = {
    token: endpoint(o.tokenUrl, 'token endpoint'),
    revocation: endpoint(o.revocationUrl, 'revocation endpoint'),
    introspection: endpoint(o.introspectionUrl, 'introspection endpoint'),
    challenge: endpoint(o.challengeUrl, 'challenge endpoint'),
  };
  const issuer = o.issuer ? rule('checkIssuer', str(o.issuer), flag(allow)) : '';
  const authMethod = rule('resolveAuthMethod', str(o.authMethod), str(o.clientSecret));
  // RFC 9449: `dpop: true` or `dpop: { keyPair, allowBearer }` (dpop.js).
  const dpop = await createDPoP(o.dpop, (fn, ...args) => callCore(core, fn, 'DPoP', [], ...args));
  return new Client(core, {
    fetchFn, timeoutMs, maxResponseBytes, allow, issuer, endpoints, dpop,
    // As configured, before discovery: what a saved token records it belongs to.
    configured: { tokenUrl: endpoints.token, revocationUrl: endpoints.revocation },
    auth: { clientId: str(o.clientId), clientSecret: o.clientSecret ?? '', authMethod },
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

  /**
   * RFC 6749 §4.3.2: exchanges a username and password for a token, once.
   * `realm` makes it Auth0's password-realm grant; `otp` sends a one-time
   * code with the password (Keycloak).
   */
  async passwordGrant({ username, password, scope, params, realm, otp, signal } = {}) {
    const endpoint = await this.#endpoint('token');
    const scopes = scopeList(scope).join(' ');
    const req = this.#build('buildSignInRequest', 'token request', endpoint,
      str(username), str(password), scopes, paramString(params), str(realm), str(otp));
    // core.GrantedScope: an omitted scope is the scope that was requested.
    return this.#tokenCall(req, 'token request', [str(password)], { grant: '', signal }, scopes, '', '');
  }

  /**
   * Signs in with the password grant and, when the server asks for a second
   * factor (Auth0, Okta: mfa_required with an mfa_token), finishes through
   * onChallenge({ type, bindingCode?, channel?, authenticators? }), which
   * returns the code ('otp'), the recovery code ('recovery_code') or the
   * authenticator id ('select_authenticator'); for 'oob' it tells the user to
   * approve on their device and its return is ignored while ropc polls.
   * `otp` is a code the caller already has: sent with the password (Keycloak)
   * and used for the mfa-otp step. `recovery: true` answers with a recovery
   * code instead of a challenge. The password is sent once. `signal` aborts
   * (TransportError reason 'aborted').
   */
  async signIn({ username, password, scope, params, otp, realm, recovery = false, onChallenge, signal } = {}) {
    let first;
    try {
      return await this.passwordGrant({ username, password, scope, params, otp, realm, signal });
    } catch (e) {
      first = e;
    }
    // core.NextSignInStep decides how the sign-in goes on, as for the Go SDK's SignIn.
    const oauth = first instanceof OAuthError;
    const mfaToken = oauth && typeof first.extra?.mfa_token === 'string' ? first.extra.mfa_token : '';
    const next = this.#call('signInStep', 'sign-in', '1', oauth ? first.kind : '', mfaToken,
      flag(typeof onChallenge === 'function'), flag(otp), flag(recovery));
    if (next === 'fail') throw first;
    const step = { mfaToken, scope, params, signal };
    // When the user cannot answer, the server's demand stays the error (with the reason as its cause).
    const demand = (cause) => new OAuthError({ code: first.code, description: first.description, uri: first.uri,
      status: first.status, kind: first.kind, extra: first.extra, retryAfter: first.retryAfter }, { cause });
    const ask = async (challenge) => {
      try {
        return await onChallenge(challenge);
      } catch (cause) {
        throw demand(cause);
      }
    };
    if (next === 'otp') return this.#mfaGrant({ ...step, grant: GRANT_MFA_OTP, otp: str(otp) });
    if (next === 'recovery_code') {
      return this.#mfaGrant({ ...step, grant: GRANT_MFA_RECOVERY, recoveryCode: str(await ask({ type: 'recovery_code' })) });
    }
    // 'challenge'
    let challengeUrl;
    try {
      challengeUrl = await this.#challengeEndpoint();
    } catch (e) {
      throw demand(e);
    }
    const authenticatorId = await this.#selectAuthenticator(challengeUrl, mfaToken, ask, demand, signal);
    const challenge = await this.#challenge(challengeUrl, mfaToken, authenticatorId, signal);
    if (challenge.promptType === 'otp') {
      const code = str(await ask({ type: 'otp', ...(challenge.channel ? { channel: challenge.channel } : {}) }));
      // The core picks the grant (mfa-otp, or mfa-oob for a code SMS or voice delivered) and
      // the request builder puts the code where that grant wants it (otp or binding_code).
      return this.#mfaGrant({ ...step, grant: challenge.codeGrant, oobCode: challenge.oobCode, otp: code, bindingCode: code });
    }
    await ask({ type: 'oob', ...(challenge.bindingCode ? { bindingCode: challenge.bindingCode } : {}),
      ...(challenge.channel ? { channel: challenge.channel } : {}) });
    return this.#pollOOB({ ...step, oobCode: challenge.oobCode, interval: challenge.interval });
  }

  async #challengeEndpoint() {
    if (this.#cfg.endpoints.challenge) return this.#cfg.endpoints.challenge;
    let meta = '';
    if (this.#cfg.issuer) meta = JSON.stringify((await this.discover()).raw ?? {});
    const url = this.#call('challengeEndpoint', 'challenge endpoint', await this.#endpoint('token'), meta);
    return this.#call('checkEndpoint', 'challenge endpoint', 'challenge endpoint', url, flag(this.#cfg.allow));
  }

  /** Auth0 lists the enrolled factors; with two or more the user picks one. */
  async #selectAuthenticator(challengeUrl, mfaToken, ask, demand, signal) {
    const req = this.#call('buildAuthenticatorsRequest', 'authenticator list', challengeUrl, mfaToken);
    if (!req) return '';
    let list;
    try {
      const res = await this.#send(req, 'authenticator list', signal);
      list = this.#parse('parseAuthenticators', 'authenticator list', res, [mfaToken], res.retryAfter);
    } catch (e) {
      if (signal?.aborted || this.#closed) throw e;
      return ''; // optional step: the challenge reports real problems
    }
    if (list.length < 2) return '';
    const id = str(await ask({ type: 'select_authenticator', authenticators: list }));
    if (!list.some((a) => a.id === id)) {
      throw demand(new TransportError(`ropc: ${JSON.stringify(id)} is not one of the authenticators offered`, { reason: 'invalid_input' }));
    }
    return id;
  }

  async #challenge(challengeUrl, mfaToken, authenticatorId, signal) {
    const req = this.#build('buildChallengeRequest', 'challenge request', challengeUrl, mfaToken, '', authenticatorId);
    const res = await this.#send(req, 'challenge request', signal);
    return this.#parse('parseChallengeResponse', 'challenge request', res, [mfaToken], res.retryAfter);
  }

  /** One MFA grant request (mfa-otp, mfa-oob, mfa-recovery-code). */
  async #mfaGrant({ grant, mfaToken, otp = '', oobCode = '', bindingCode = '', recoveryCode = '', scope, params, signal }) {
    const scopes = scopeList(scope).join(' ');
    const req = this.#build('buildMFATokenRequest', 'token request', await this.#endpoint('token'),
      grant, mfaToken, otp, oobCode, bindingCode, recoveryCode, scopes, paramString(params));
    // core.GrantedScope: an omitted scope is the scope that was requested.
    return this.#tokenCall(req, 'token request', [mfaToken, recoveryCode], { grant, signal }, scopes, '', '');
  }

  /** Polls the mfa-oob grant until approved, denied, expired or aborted (RFC 8628 §3.5 pacing). */
  async #pollOOB({ oobCode, interval, ...step }) {
    let wait = Number(interval) > 0 ? Number(interval) : this.#call('oobPoll', 'out-of-band approval', 'authorization_pending', '0').next;
    for (;;) {
      await sleep(wait * 1000, { signal: step.signal, inflight: this.#inflight, what: 'out-of-band approval' });
      try {
        return await this.#mfaGrant({ ...step, grant: GRANT_MFA_OOB, oobCode });
      } catch (e) {
        if (!(e instanceof OAuthError)) throw e;
        const next = this.#call('oobPoll', 'out-of-band approval', e.code, String(wait));
        if (!next.again) throw e;
        wait = next.next;
      }
    }
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
    return this.#tokenCall(req, 'refresh request', [str(refreshToken)], {}, scopes, str(refreshToken), str(previousScope));
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
   * Resumes the session saved under `name` in `store`: a token for another client or server, or a
   * DPoP-bound one without the same key pair, is refused (the rules live in the Go core). Rejects
   * with reason 'not_saved' when there is none.
   */
  async resume(store, name, options = {}) {
    this.#checkStore(store, name);
    const record = await store.load(name);
    if (record == null) {
      throw new TransportError(`ropc: no saved token "${name}": sign in and start a session with { store, name } first`, {
        reason: 'not_saved',
      });
    }
    // A DPoP-bound record resumes only with the same key pair (the core checks its thumbprint).
    const saved = this.#call('unmarshalSavedToken', 'saved token', String(record), this.#cfg.configured.tokenUrl,
      this.#cfg.issuer, this.#cfg.auth.clientId, this.#cfg.dpop?.thumbprint ?? '');
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
      dpop,
      // sdk/core's refresh margin, "sign in again" and retry rules, as package sdk's TokenSource applies them.
      rules: {
        refreshMargin: (ms) => rule('refreshMargin', ms == null ? '' : String(ms)),
        // RFC 6749 §7.1 / RFC 9449 §7.1: Bearer, DPoP (with a key) or refused; core.ResourceScheme.
        resourceScheme: (tokenType) => rule('resourceScheme', str(tokenType), flag(dpop)).scheme,
        // RFC 6750 §3.1 / RFC 9449 §7.1: a 401 that refused the token itself; core.RefusesToken.
        refusesToken: (wwwAuthenticate) => rule('refusesToken', str(wwwAuthenticate)),
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
        // A DPoP token is saved with its key's thumbprint, never the private key (even an
        // extractable one): the app keeps its CryptoKeyPair and passes it again to resume.
        dpopJkt: dpop && dpop.scheme(t.tokenType) === 'DPoP' ? dpop.thumbprint : undefined,
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

  #send(req, what, signal) {
    const { fetchFn, timeoutMs, maxResponseBytes } = this.#cfg;
    return send(fetchFn, req, { timeoutMs, maxBytes: maxResponseBytes, what, inflight: this.#inflight, signal });
  }

  /**
   * Sends a token, revocation or introspection request, with a DPoP proof when
   * the client has a key, and once more when the server demands a nonce
   * (RFC 9449 §8; the body is a string, so it can be sent again).
   */
  async #sendProof(req, what, signal) {
    const { dpop } = this.#cfg;
    if (!dpop) return this.#send(req, what, signal);
    for (let attempt = 0; ; attempt++) {
      const headers = { ...req.headers, dpop: await dpop.proof(req.method, req.url) };
      const res = await this.#send({ ...req, headers }, what, signal);
      if (dpop.observe(req.url, res) && attempt === 0) continue;
      return res;
    }
  }

  /**
   * Sends a token request; the scope and refresh token the core fills in come from the caller (core.GrantedScope,
   * core.KeptRefreshToken); `grant` ('' or an MFA grant) refines an error's kind, `signal` aborts.
   */
  async #tokenCall(req, what, secrets, { grant = '', signal } = {}, requestedScope = '', previousRefreshToken = '', previousScope = '') {
    const res = await this.#sendProof(req, what, signal);
    const token = this.#parse('parseSignInResponse', what, res, secrets, res.retryAfter, grant,
      requestedScope, previousRefreshToken, previousScope);
    const { dpop } = this.#cfg;
    // RFC 9449 §5: a Bearer answer to a DPoP request is refused unless allowed.
    if (dpop) this.#call('checkTokenType', what, token.tokenType, '1', dpop.allowBearer ? '1' : '');
    // Go leaves raw out for JSON bodies: JSON.parse is much cheaper here.
    token.raw ??= JSON.parse(decoder.decode(res.body));
    return redactable(token);
  }
}

const decoder = new TextDecoder();
// MFA grants by the short names the core maps to Auth0's/Okta's grant types.
const GRANT_MFA_OTP = 'otp';
const GRANT_MFA_OOB = 'oob';
const GRANT_MFA_RECOVERY = 'recovery_code';
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
