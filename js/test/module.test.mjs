// The built module: what it links and how big it is (target: at most
// 1.2 MB gzipped; net/http alone would add about 2 MB).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));

it('links sdk/core and not net/http', () => {
  const deps = execFileSync('go', ['list', '-deps', './wasm'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
  }).split('\n');
  assert.ok(deps.includes('github.com/ropcgo/ropc/sdk/core'));
  assert.ok(!deps.includes('net/http'), 'wasm must not import net/http');
});

it('is at most 1.2 MB gzipped', () => {
  const gz = gzipSync(readFileSync(new URL('../ropc.wasm', import.meta.url)), { level: 9 }).length;
  assert.ok(gz <= 1_200_000, `ropc.wasm is ${gz} bytes gzipped`);
});

it('ships the wasm_exec.js of the Go toolchain that built it, unedited', () => {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const shipped = readFileSync(new URL('../wasm_exec.js', import.meta.url));
  assert.ok(shipped.equals(readFileSync(`${goroot}/lib/wasm/wasm_exec.js`)));
});
