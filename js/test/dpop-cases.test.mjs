// The DPoP (RFC 9449) decisions of sdk/core/testdata/dpop-cases.json, made
// through the wasm bridge: go test runs the same table against the Go core.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import 'ropc'; // the node entry: reads ropc.wasm from disk
import { loadCore } from '../loader.js'; // the instance it loads

const cases = JSON.parse(readFileSync(new URL('../../sdk/core/testdata/dpop-cases.json', import.meta.url), 'utf8'));
const core = await loadCore();
const call = (fn, ...args) => JSON.parse(core[fn](...args));

describe('DPoP shared cases (sdk/core/testdata/dpop-cases.json)', () => {
  assert.ok(cases.nonce.length > 0 && cases.tokenType.length > 0);
  for (const c of cases.nonce) {
    it(`nonce: ${c.name}`, () => {
      const out = call('dpopNonce', c.url, c.status, c.wwwAuthenticate, new TextEncoder().encode(c.body), c.dpopNonce);
      assert.deepEqual(out.ok, { origin: c.origin, nonce: c.nonce, retry: c.retry });
    });
  }
  for (const c of cases.tokenType) {
    it(`token type: ${c.name}`, () => {
      const out = call('checkTokenType', c.tokenType, c.dpop ? '1' : '', c.allowBearer ? '1' : '');
      if (c.error) {
        assert.equal(out.error?.kind, 'token_type');
        assert.equal(out.error.reason, c.error);
      } else {
        assert.deepEqual(out.ok, { scheme: c.scheme });
      }
    });
  }
});
