// Error classes of the ropc package. Messages name the cause and the endpoint
// (origin and path only), never a password, client secret or token.

/** RFC 6749 §5.2: the authorization server answered with an error code. */
export class OAuthError extends Error {
  constructor({ code, description = '', uri = '', status = 0, kind = 'other', extra = {}, retryAfter = null } = {}, options) {
    super(`ropc: the authorization server answered ${code}` +
      (status ? ` (HTTP ${status})` : '') + (description ? `: ${description}` : ''), options);
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.uri = uri;
    this.status = status;
    /** The situation, decided by the Go core: invalid_credentials, mfa_required, ... */
    this.kind = kind;
    /** Every other member of the error body (mfa_token, error_codes, suberror, claims, ...). */
    this.extra = extra;
    /** Seconds to wait (Retry-After) for rate_limited and account_locked, or null. */
    this.retryAfter = retryAfter;
  }
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

// console.log of an OAuthError shows extra without its mfa_token, which
// continues a sign-in like a password would.
Object.defineProperty(OAuthError.prototype, inspect, {
  enumerable: false,
  value(depth, options, show) {
    const extra = { ...this.extra };
    if ('mfa_token' in extra) extra.mfa_token = '[redacted]';
    const shown = { code: this.code, kind: this.kind, status: this.status, description: this.description, extra };
    if (this.retryAfter != null) shown.retryAfter = this.retryAfter;
    return `${this.stack}\n${typeof show === 'function' ? show(shown, options) : JSON.stringify(shown)}`;
  },
});

/**
 * Everything that is not an OAuth error: network failure, timeout, refused
 * redirect, oversized or malformed answer, non-OAuth HTTP status, insecure URL,
 * bad input. `reason` says which, for programs to branch on.
 */
export class TransportError extends Error {
  constructor(message, { reason = 'network', status = 0, contentType = '', cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
    this.reason = reason;
    this.status = status;
    this.contentType = contentType;
  }
}

/**
 * Replaces each secret in server-supplied text: a hostile or careless server
 * can echo the password or client secret in error_description, or anywhere
 * else it controls (Content-Type, which the messages below quote).
 */
function scrub(text, secrets) {
  let out = String(text ?? '');
  for (const s of secrets) {
    if (s) out = out.split(s).join('[redacted]');
  }
  return out;
}

/** Replaces, inside a parsed JSON value, every string that contains a secret. */
function scrubValue(v, secrets) {
  if (typeof v === 'string') return secrets.some((s) => s && v.includes(s)) ? '[redacted]' : v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, secrets);
    return out;
  }
  return v;
}

/** Converts an error object from the WebAssembly bridge to an error class. */
export function fromBridge(e, what, secrets = []) {
  const clean = (text) => scrub(text, secrets);
  switch (e.kind) {
    case 'oauth':
      return new OAuthError({
        code: clean(e.code), description: clean(e.description), uri: clean(e.uri), status: e.status ?? 0,
        kind: e.oauthKind || 'other', extra: scrubValue(e.extra ?? {}, secrets), retryAfter: e.retryAfter || null,
      });
    case 'http': {
      const contentType = clean(e.contentType);
      return new TransportError(`ropc: ${what} failed with HTTP ${e.status}` +
        (contentType ? ` (${contentType})` : '') + ', not an OAuth answer',
      { reason: 'http_status', status: e.status, contentType });
    }
    case 'token_type':
      // RFC 9449 §5: a Bearer token for a DPoP client, or a DPoP token without a key.
      return new TransportError(`ropc: ${what}: ${String(e.message).replace(/^ropc: /, '')}`, { reason: 'token_type' });
    case 'insecure':
      // core.CheckTransportSecurity: plain http to a host that is not loopback.
      return new TransportError(e.message, { reason: 'insecure_url' });
    case 'discovery': {
      // core.DiscoveryError: every metadata URL tried, with its answer.
      const err = new TransportError(clean(e.message), { reason: 'discovery' });
      err.attempts = (e.attempts ?? []).map((a) => ({ url: a.url, status: a.status, problem: clean(a.problem) }));
      return err;
    }
    case 'protocol':
      return new TransportError(`ropc: ${what}: malformed answer: ${clean(e.reason || e.message)}`, { reason: 'malformed' });
    default:
      return new TransportError(`ropc: ${what}: ${String(e.message).replace(/^ropc: /, '')}`, { reason: 'invalid_input' });
  }
}
