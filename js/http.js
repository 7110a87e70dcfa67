// The only place that touches the network: one request through a fetch
// function, with the safety rules of the Go SDK (no redirects, size limit,
// timeout). Everything else in the package is pure.
import { TransportError } from './errors.js';

/** Origin and path of a URL: what messages may show (no query, no userinfo). */
function where(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Requests in flight, so that client.close() can stop them. A Set of stop
 * functions is cheaper per request than an 'abort' listener on a shared
 * signal (EventTarget calls are slow in Node).
 */
export class Inflight {
  stops = new Set();
  closed = false;

  close() {
    this.closed = true;
    for (const stop of this.stops) stop();
    this.stops.clear();
  }
}

/**
 * Sends one request and reads at most maxBytes of its body.
 * Resolves to { status, contentType, wwwAuthenticate, dpopNonce, retryAfter, body: Uint8Array }.
 */
export async function send(fetchFn, req, { timeoutMs, maxBytes, what, inflight, signal }) {
  const at = where(req.url);
  const closed = () => new TransportError(`ropc: ${what} to ${at} was cancelled: the client was closed`, { reason: 'closed' });
  const aborted = () => new TransportError(`ropc: ${what} to ${at} was aborted`, { reason: 'aborted', cause: signal?.reason });
  if (inflight.closed) throw closed();
  if (signal?.aborted) throw aborted();
  const ac = new AbortController();
  // The signal cancels the request when the fetch honours it; `stopped` ends
  // the wait even when it does not (options.fetch can be any function), so
  // the timeout and close() hold whatever fetch is used.
  let reject;
  const stopped = new Promise((_, r) => { reject = r; });
  stopped.catch(() => {}); // only a race below may observe it
  const stop = () => {
    ac.abort();
    reject(ac.signal.reason);
  };
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; stop(); }, timeoutMs);
  inflight.stops.add(stop);
  signal?.addEventListener('abort', stop, { once: true });
  const failure = (cause) => {
    if (timedOut) return new TransportError(`ropc: ${what} to ${at} timed out after ${timeoutMs} ms`, { reason: 'timeout', cause });
    if (inflight.closed) return closed();
    if (signal?.aborted) return aborted();
    return new TransportError(`ropc: ${what} to ${at} failed: network error`, { reason: 'network', cause });
  };
  try {
    let res;
    try {
      res = await Promise.race([stopped, fetchFn(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
        // Never follow: a 307/308 would re-send the password and client
        // secret to wherever the Location points.
        redirect: 'manual',
        signal: ac.signal,
      })]);
    } catch (e) {
      throw failure(e);
    }
    if (res.type === 'opaqueredirect' || res.redirected || (res.status >= 300 && res.status < 400)) {
      res.body?.cancel().catch(() => {});
      throw new TransportError(`ropc: ${what} to ${at} was answered with a redirect, which is refused ` +
        '(credentials are never re-sent to another location)', { reason: 'redirect', status: res.status });
    }
    let body;
    try {
      body = await Promise.race([stopped, readLimited(res, maxBytes, ac)]);
    } catch (e) {
      if (e instanceof TransportError) {
        throw new TransportError(`ropc: ${what} to ${at}: answer larger than ${maxBytes} bytes`, { reason: 'too_large', status: res.status });
      }
      throw failure(e);
    }
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      wwwAuthenticate: res.headers.get('www-authenticate') ?? '',
      dpopNonce: res.headers.get('dpop-nonce') ?? '', // RFC 9449 §8
      retryAfter: res.headers.get('retry-after') ?? '',
      body,
    };
  } finally {
    clearTimeout(timer);
    inflight.stops.delete(stop);
    signal?.removeEventListener('abort', stop);
  }
}

/** Waits ms milliseconds; rejects with TransportError reason 'aborted' or 'closed' when stopped first. */
export function sleep(ms, { signal, inflight, what }) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TransportError(`ropc: ${what} was aborted`, { reason: 'aborted', cause: signal.reason }));
      return;
    }
    const stop = () => {
      clearTimeout(timer);
      inflight.stops.delete(stop);
      signal?.removeEventListener('abort', stop);
      reject(inflight.closed
        ? new TransportError(`ropc: ${what} was cancelled: the client was closed`, { reason: 'closed' })
        : new TransportError(`ropc: ${what} was aborted`, { reason: 'aborted', cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      inflight.stops.delete(stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    inflight.stops.add(stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

const tooLarge = () => new TransportError('too large', { reason: 'too_large' });

async function readLimited(res, maxBytes, ac) {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    ac.abort();
    throw tooLarge();
  }
  // A declared length within the limit bounds the body (fetch reads no more
  // than Content-Length), so read it in one go; not when it is compressed,
  // where the length is that of the compressed bytes (a "zip bomb").
  const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  if (!res.body || (!encoded && res.headers.has('content-length') && declared >= 0 && declared <= maxBytes)) {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.byteLength > maxBytes) throw tooLarge();
    return buf;
  }
  // Count while streaming, so an endless answer is cut at the limit instead of
  // being held in memory (response.arrayBuffer() would read it all).
  const reader = res.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      ac.abort();
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
