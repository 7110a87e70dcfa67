// DPoP (RFC 9449) for the JavaScript host: the Go core decides what a proof
// says, which nonce it carries and when a request is retried; this file only
// signs the core's bytes with WebCrypto (so a non-extractable key never
// leaves it) and keeps the newest nonce per server.
import { TransportError } from './errors.js';

// WebCrypto's parameters for the two algorithms the core accepts.
const SIGN_PARAMS = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' }, // signature is r||s, as JWS wants (RFC 7518 §3.4)
  EdDSA: { name: 'Ed25519' },
};

const encoder = new TextEncoder();

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new TransportError('ropc: DPoP needs WebCrypto (crypto.subtle): a secure context in browsers, Node 18+',
      { reason: 'invalid_input' });
  }
  return s;
}

/**
 * Resolves the `dpop` option of createClient: `true` makes a non-extractable
 * ES256 key pair; `{ keyPair }` uses the app's own CryptoKeyPair (ECDSA
 * P-256 or Ed25519), e.g. one kept in IndexedDB. `allowBearer` accepts a
 * Bearer token from a server that ignores DPoP (refused by default).
 * `call(fn, ...args)` runs a core function and returns its `ok` answer.
 */
export async function createDPoP(option, call) {
  if (option == null || option === false) return null;
  const o = option === true ? {} : option;
  if (typeof o !== 'object') {
    throw new TransportError('ropc: dpop must be true or { keyPair, allowBearer }', { reason: 'invalid_input' });
  }
  let keyPair = o.keyPair;
  if (keyPair == null) {
    keyPair = await subtle().generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  }
  if (!keyPair?.privateKey || !keyPair?.publicKey) {
    throw new TransportError('ropc: dpop.keyPair must be a CryptoKeyPair', { reason: 'invalid_input' });
  }
  // Public keys are always exportable, whatever the pair's extractable flag.
  const jwk = await subtle().exportKey('jwk', keyPair.publicKey);
  const info = call('dpopKey', JSON.stringify(jwk));
  return new DPoP(keyPair.privateKey, info, o.allowBearer === true, call);
}

class DPoP {
  #key;
  #info; // { alg, jwk (canonical), jkt }
  #call;
  #nonces = new Map(); // origin -> newest DPoP-Nonce (RFC 9449 §8.2)
  #origins = new Map(); // URL -> the core's origin for it (the same few URLs repeat)
  #schemes = new Map(); // token_type -> the core's Authorization scheme for it

  constructor(privateKey, info, allowBearer, call) {
    this.#key = privateKey;
    this.#info = info;
    this.#call = call;
    this.allowBearer = allowBearer;
  }

  /** The Authorization scheme for a token of this type: 'DPoP' or 'Bearer'. */
  scheme(tokenType) {
    // Asked on every session request: the core's answer is kept per token type.
    const t = tokenType ?? '';
    let s = this.#schemes.get(t);
    if (s === undefined) {
      s = this.#call('checkTokenType', t, '1', '1').scheme;
      if (this.#schemes.size >= 16) this.#schemes.clear();
      this.#schemes.set(t, s);
    }
    return s;
  }

  /** RFC 7638 thumbprint of the key: the jkt servers bind tokens to. */
  get thumbprint() { return this.#info.jkt; }

  /** A proof for one request; `accessToken` on resource requests (ath). */
  async proof(method, url, accessToken = '') {
    const { alg, jwk } = this.#info;
    const nonce = this.#nonces.get(this.#origin(url)) ?? '';
    const { input } = this.#call('dpopSigningInput', alg, jwk, method, url, accessToken, nonce, Date.now());
    const sig = new Uint8Array(await subtle().sign(SIGN_PARAMS[alg], this.#key, encoder.encode(input)));
    return this.#call('dpopProof', input, sig).proof;
  }

  #origin(url) {
    let o = this.#origins.get(url);
    if (o === undefined) {
      o = this.#call('dpopNonceOrigin', url).origin;
      if (this.#origins.size >= 64) this.#origins.clear();
      this.#origins.set(url, o);
    }
    return o;
  }

  /**
   * Keeps the nonce an answer carries and reports whether the core says to
   * retry once with it. `res` is { status, wwwAuthenticate, body, dpopNonce }.
   */
  observe(url, res) {
    // Without a DPoP-Nonce header there is nothing to keep or to retry with.
    if (!res.dpopNonce) return false;
    const out = this.#call('dpopNonce', url, res.status, res.wwwAuthenticate ?? '', res.body ?? '', res.dpopNonce);
    if (out.nonce) this.#nonces.set(out.origin, out.nonce);
    return out.retry;
  }
}
