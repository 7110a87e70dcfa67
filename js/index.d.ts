// Types of the ropc package (hand-written; the implementation is index.js).

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/**
 * What ropc calls to send a request: the global fetch, or Electron's net.fetch (which takes no URL object, so
 * ropc passes URLs as strings).
 */
export type FetchFunction = (input: string | Request, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /**
   * Token endpoint; without it, `issuer` is required and discovery (RFC 8414) finds it on first use (a client that
   * only revokes or introspects may instead give just `revocationUrl` or `introspectionUrl`).
   */
  tokenUrl?: string;
  /** Issuer identifier: discovery of the token, revocation and introspection endpoints. */
  issuer?: string;
  /** Required, a public client's too: a client always identifies itself at the token endpoint (RFC 6749 §3.2.1). */
  clientId: string;
  clientSecret?: string;
  /** Default 'client_secret_basic' with a clientSecret (RFC 6749 §2.3.1), 'none' (public client) without one. */
  authMethod?: AuthMethod;
  /** Default globalThis.fetch; pass Electron's net.fetch in an Electron main process. */
  fetch?: FetchFunction;
  /** Per request, default 30000. */
  timeoutMs?: number;
  /** Allow plain http to hosts other than loopback. Default false. */
  allowInsecureHttp?: boolean;
  /** Largest answer read, default 1 MiB; larger ones fail with TransportError reason 'too_large'. */
  maxResponseBytes?: number;
  /** RFC 7009 endpoint, when there is no issuer to discover it from. */
  revocationUrl?: string;
  /** RFC 7662 endpoint, when there is no issuer to discover it from. */
  introspectionUrl?: string;
  /**
   * MFA challenge endpoint (Auth0 /mfa/challenge, Okta /oauth2/{server}/v1/challenge); by default the
   * discovered mfa_challenge_endpoint or the provider's path next to the token endpoint.
   */
  challengeUrl?: string;
  /**
   * Where ropc.wasm comes from when it is not next to the package's index.js (a bundler that does not emit it, an
   * Electron package, a Worker): its URL (under Node also a file path), a Response or a promise of one (`fetch(url)`),
   * its bytes, or a compiled WebAssembly.Module. One module serves every client of a JavaScript realm: the first
   * createClient that loads it decides.
   */
  wasm?: WasmSource;
  /**
   * DPoP (RFC 9449): bind tokens to a key. `true` generates a non-extractable ES256 key with WebCrypto;
   * `{ keyPair }` uses the app's own CryptoKeyPair (ECDSA P-256 or Ed25519), e.g. one kept in IndexedDB.
   * Every token, refresh, revocation and introspection request then carries a proof, and session.fetch sends
   * DPoP tokens with `Authorization: DPoP` and a proof. A Bearer answer fails with TransportError reason
   * 'token_type' unless `allowBearer` is true.
   */
  dpop?: boolean | DPoPOptions;
}

export interface DPoPOptions {
  keyPair?: CryptoKeyPair;
  /** Accept a Bearer token from a server that ignores DPoP (a downgrade; refused by default). */
  allowBearer?: boolean;
}

export type WasmSource = string | URL | Response | PromiseLike<Response> | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

export interface Token {
  accessToken: string;
  /** 'Bearer' or 'DPoP' (normalised), another type as sent, or '' when the server sent none. */
  tokenType: string;
  /** Lifetime in seconds as sent, or null when unknown. */
  expiresIn: number | null;
  /** Expiry in milliseconds since the epoch, or null when unknown. */
  expiresAt: number | null;
  refreshToken: string | null;
  /** Space-separated granted scope (the requested scope when the server omitted it). */
  scope: string;
  /** The parsed response, every field. */
  raw: Record<string, unknown>;
}

export interface PasswordGrantOptions {
  username: string;
  password: string;
  scope?: string | string[];
  /** Extra form parameters. */
  params?: Record<string, string | string[]>;
  /** Auth0 connection: sends the password-realm grant with realm. */
  realm?: string;
  /** A one-time code sent with the password as otp (Keycloak). */
  otp?: string;
  /** Aborts the request (TransportError reason 'aborted'). */
  signal?: AbortSignal;
}

/** One of the user's enrolled second factors (Auth0 GET /mfa/authenticators). */
export interface Authenticator {
  id: string;
  /** otp or oob. */
  type: string;
  channel?: string;
  name?: string;
}

/** What signIn asks onChallenge to obtain from the user. */
export type Challenge =
  | { type: 'otp'; channel?: string }
  | { type: 'oob'; bindingCode?: string; channel?: string }
  | { type: 'recovery_code' }
  | { type: 'select_authenticator'; authenticators: Authenticator[] };

export interface SignInOptions extends PasswordGrantOptions {
  /**
   * Returns the code ('otp'), the recovery code ('recovery_code') or the chosen authenticator id
   * ('select_authenticator'). For 'oob' it tells the user to approve on their device; its return is ignored
   * while signIn polls. A throw stops the sign-in with the server's mfa_required OAuthError (cause: the throw).
   */
  onChallenge?: (challenge: Challenge) => string | void | Promise<string | void>;
  /** Answer mfa_required with a recovery code instead of a challenge. */
  recovery?: boolean;
}

export interface Introspection {
  active: boolean;
  scope?: string;
  clientId?: string;
  username?: string;
  tokenType?: string;
  sub?: string;
  iss?: string;
  jti?: string;
  aud?: string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  raw: Record<string, unknown>;
}

export interface Metadata {
  issuer: string;
  tokenEndpoint: string;
  revocationEndpoint?: string;
  introspectionEndpoint?: string;
  userinfoEndpoint?: string;
  jwksUri?: string;
  grantTypesSupported?: string[];
  scopesSupported?: string[];
  tokenEndpointAuthMethodsSupported?: string[];
  raw: Record<string, unknown>;
}

export interface SessionOptions {
  /** Called after each refresh with the new token (persist it here); not awaited, and its errors are ignored. */
  onTokenChange?: (token: Token) => void | Promise<void>;
  /** Refresh this long before expiry (capped at half the token's lifetime). Default 60000; negative is refused. */
  marginMs?: number;
  /** Saves the token under `name` now and after every refresh, before the new token is used (e.g. ropc/electron). */
  store?: TokenStore;
  /** The saved token's name: 1-64 of A-Z a-z 0-9 . _ - (not first). */
  name?: string;
}

/**
 * Keeps saved tokens between runs, one record per name. The record is opaque text encoded and
 * checked by the ropc core; a store only keeps it (ropc/electron has one on safeStorage).
 */
export interface TokenStore {
  /** The record saved under name, or null. */
  load(name: string): Promise<string | null>;
  /** Replaces the record under name; resolves once it is kept. */
  save(name: string, record: string): Promise<void>;
  /** Removes the record; a missing one is not an error. */
  delete(name: string): Promise<void>;
}

export interface Session {
  /** A fresh access token; concurrent callers share one refresh. */
  accessToken(): Promise<string>;
  /**
   * fetch with Authorization: Bearer (or DPoP and a proof for a DPoP token); on 401 error="invalid_token"
   * refreshes once and retries; a DPoP use_dpop_nonce challenge is retried once with the server's nonce.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The token held now. */
  readonly token: Token;
  /** With a store: settles once the session's first token is saved (rejects with reason 'store'). */
  readonly saved: Promise<void>;
  /** With a store: saves the token held now (retry after a failed save). */
  save(): Promise<void>;
}

export interface Client {
  passwordGrant(options: PasswordGrantOptions): Promise<Token>;
  /** The password grant, then the second factor through onChallenge when the server asks for one. */
  signIn(options: SignInOptions): Promise<Token>;
  refresh(refreshToken: string, options?: { scope?: string | string[]; params?: Record<string, string | string[]> }): Promise<Token>;
  revoke(token: string, options?: { hint?: 'access_token' | 'refresh_token' | string }): Promise<void>;
  introspect(token: string, options?: { hint?: string }): Promise<Introspection>;
  session(token: Token, options?: SessionOptions): Session;
  /**
   * Resumes the session saved under name; refuses one saved for another client or server, and a DPoP-bound one unless
   * this client has the same key pair (records hold the key's thumbprint, never the private key); reason 'not_saved'
   * when none.
   */
  resume(store: TokenStore, name: string, options?: Omit<SessionOptions, 'store' | 'name'>): Promise<Session>;
  /** Runs discovery now (otherwise it runs on the first call that needs an endpoint); resolves to the metadata. */
  discover(): Promise<Metadata>;
  close(): void;
  /** RFC 7638 thumbprint of the DPoP key (the jkt tokens are bound to), or null without DPoP. */
  readonly dpopThumbprint: string | null;
}

export function createClient(options: ClientOptions): Promise<Client>;

/** The situation behind an OAuthError, decided by the Go core (the same for the Go SDK and the CLI). */
export type ErrorKind =
  | 'invalid_credentials' | 'mfa_required' | 'mfa_invalid_code' | 'mfa_denied' | 'interaction_required'
  | 'password_expired' | 'account_setup_required' | 'account_locked' | 'account_disabled' | 'rate_limited'
  | 'consent_required' | 'invalid_client' | 'invalid_scope' | 'server_unavailable' | 'other';

/** RFC 6749 §5.2 error answer. */
export class OAuthError extends Error {
  constructor(fields: {
    code: string; description?: string; uri?: string; status?: number;
    kind?: ErrorKind; extra?: Record<string, unknown>; retryAfter?: number | null;
  }, options?: { cause?: unknown });
  readonly name: 'OAuthError';
  /** invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, ... */
  readonly code: string;
  readonly description: string;
  readonly uri: string;
  readonly status: number;
  readonly kind: ErrorKind;
  /** Every other member of the error body: mfa_token, error_codes, suberror, claims, trace_id, ... */
  readonly extra: Record<string, unknown>;
  /** Seconds to wait (Retry-After) for rate_limited and account_locked, or null when unknown. */
  readonly retryAfter: number | null;
}

/**
 * 'discovery': no metadata URL gave usable metadata (RFC 8414); the message
 * names each URL tried with its answer, and the error's `attempts` property
 * lists them ({ url, status, problem }, status 0 for no answer).
 * 'sign_in_again': only the user's credentials can produce a token (the
 * refresh token was rejected, its OAuthError is the `cause`; or the access
 * token expired and there is no refresh token).
 */
export type TransportErrorReason =
  | 'network' | 'timeout' | 'redirect' | 'too_large' | 'malformed' | 'http_status'
  | 'insecure_url' | 'invalid_input' | 'closed' | 'sign_in_again' | 'discovery' | 'aborted'
  | 'store' | 'not_saved' | 'store_unavailable' | 'store_plaintext' | 'store_corrupt'
  /** ropc.wasm could not be read, fetched or compiled; the message names the file or URL. */
  | 'wasm_load'
  /** RFC 9449 §5: a Bearer token answered to a DPoP client (unless allowBearer), or a DPoP token without a key. */
  | 'token_type';

/** Every failure that is not an OAuth error answer. */
export class TransportError extends Error {
  constructor(message: string, options?: { reason?: TransportErrorReason; status?: number; contentType?: string; cause?: unknown });
  readonly name: 'TransportError';
  readonly reason: TransportErrorReason;
  /** HTTP status when there was one, else 0. */
  readonly status: number;
  readonly contentType: string;
}
