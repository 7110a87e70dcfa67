// index.d.ts against the package: tsc --strict accepts the documented API and
// rejects misuse (types.ts), and every declared name exists at run time and
// the other way round, so the hand-written declarations cannot drift.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as ropc from 'ropc';

const require = createRequire(import.meta.url);
const ts = require('typescript');

it('index.d.ts types the documented API and rejects misuse (tsc --strict)', async () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const { code, out } = await new Promise((resolve) => {
    execFile(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--skipLibCheck', 'false', 'types.ts'],
    { cwd: dir }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, out: stdout + stderr }));
  });
  assert.equal(code, 0, out);
});

/** The declarations of index.d.ts: exported values, and the member names of each interface and class. */
function declarations() {
  const path = fileURLToPath(new URL('../index.d.ts', import.meta.url));
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const values = [];
  const members = {};
  const unions = {};
  const exported = (n) => n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const n of file.statements) {
    if (!exported(n)) continue;
    if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) values.push(n.name.text);
    if (ts.isInterfaceDeclaration(n) || ts.isClassDeclaration(n)) {
      members[n.name.text] = n.members
        .map((m) => (ts.isConstructorDeclaration(m) ? 'constructor' : m.name?.text)).filter(Boolean).sort();
    }
    if (ts.isTypeAliasDeclaration(n) && ts.isUnionTypeNode(n.type) && n.type.types.every(ts.isLiteralTypeNode)) {
      unions[n.name.text] = n.type.types.map((t) => t.literal.text).sort();
    }
  }
  return { values: values.sort(), members, unions };
}

/** JSON names of a Go struct in wasm/internal/bridge/bridge.go (what the module sends for that shape). */
function goJSONNames(struct) {
  const src = readFileSync(new URL('../../wasm/internal/bridge/bridge.go', import.meta.url), 'utf8');
  const body = src.match(new RegExp(`type ${struct} struct \\{([^}]*)\\}`))[1];
  return [...body.matchAll(/json:"(\w+)/g)].map((m) => m[1]).sort();
}

it('index.d.ts declares exactly what the package has at run time', async () => {
  const d = declarations();
  assert.deepEqual(d.values, Object.keys(ropc).sort(), 'exported values');

  // A client, a token (through a stand-in fetch: no network) and a session.
  const answer = { access_token: 'at', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt', scope: 'read' };
  const fetch = async () => new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
  const client = await ropc.createClient({ tokenUrl: 'https://as.example/token', clientId: 'c', clientSecret: 's', fetch });
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(client)).filter((n) => n !== 'constructor');
  assert.deepEqual(d.members.Client, methods.sort(), 'Client');
  const token = await client.passwordGrant({ username: 'u', password: 'p' });
  assert.deepEqual(d.members.Token, Object.keys(token).sort(), 'Token');
  assert.deepEqual(d.members.Session, Object.keys(client.session(token)).sort(), 'Session');

  // Options the runtime reads (o.<name> in createClient) are the declared ones.
  const index = readFileSync(new URL('../index.js', import.meta.url), 'utf8');
  const create = index.slice(index.indexOf('export async function createClient'), index.indexOf('\nclass Client'));
  const read = [...new Set([...create.matchAll(/\bo\.(\w+)/g)].map((m) => m[1]))].sort();
  assert.deepEqual(d.members.ClientOptions, read, 'ClientOptions');

  // Error classes: the constructor plus the instance fields.
  const fields = (e) => ['constructor', ...Object.keys(e)].sort();
  assert.deepEqual(d.members.OAuthError, fields(new ropc.OAuthError({ code: 'x' })), 'OAuthError');
  assert.deepEqual(d.members.TransportError, fields(new ropc.TransportError('x')), 'TransportError');
  const src = ['index.js', 'http.js', 'session.js', 'errors.js', 'loader.js', 'electron.js']
    .map((f) => readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')).join('\n');
  const reasons = [...new Set([...src.matchAll(/reason: '(\w+)'/g)].map((m) => m[1]))].sort();
  assert.deepEqual(d.unions.TransportErrorReason, reasons, 'TransportErrorReason vs the reasons thrown');

  // The kinds are the Go core's (sdk/core/kind.go), every one of them.
  const kinds = readFileSync(new URL('../../sdk/core/kind.go', import.meta.url), 'utf8');
  const goKinds = [...kinds.matchAll(/^\s+Kind\w+ Kind = "(\w+)"/gm)].map((m) => m[1]).sort();
  assert.equal(goKinds.length, 15);
  assert.deepEqual(d.unions.ErrorKind, goKinds, 'ErrorKind vs sdk/core/kind.go');

  // Shapes the WebAssembly module produces.
  assert.deepEqual(d.members.Introspection, goJSONNames('Introspection'), 'Introspection');
  assert.deepEqual(d.members.Metadata, goJSONNames('Metadata'), 'Metadata');
});
