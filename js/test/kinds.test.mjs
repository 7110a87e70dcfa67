// The error kinds through the WebAssembly core: every answer of the shared
// table sdk/core/testdata/kinds.json (which sdk/core's TestKinds runs in Go)
// must come out of the JavaScript package as the same kind, retry delay and
// extra members. The answers are handed to the client as fetch responses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { OAuthError, createClient } from 'ropc';

const table = JSON.parse(readFileSync(new URL('../../sdk/core/testdata/kinds.json', import.meta.url), 'utf8'));

describe('error kinds (sdk/core/testdata/kinds.json)', () => {
  it('has cases', () => assert.ok(table.cases.length > 20));
  for (const c of table.cases) {
    it(c.name, async () => {
      const fetch = async () => new Response(c.body, {
        status: c.status,
        headers: { 'content-type': 'application/json', ...(c.retry_after ? { 'retry-after': c.retry_after } : {}) },
      });
      const client = await createClient({ tokenUrl: 'https://as.example/token', clientId: 'app', authMethod: 'none', fetch });
      const e = await client.passwordGrant({ username: 'u', password: 'Corr3ct-Horse-Battery' }).then(() => assert.fail('no error'), (err) => err);
      assert.ok(e instanceof OAuthError, String(e));
      assert.equal(e.kind, c.kind);
      assert.equal(e.retryAfter, c.retry_after_seconds || null);
      const body = JSON.parse(c.body);
      for (const k of ['error', 'error_description', 'error_uri']) delete body[k];
      assert.deepEqual(e.extra, body);
    });
  }
});
