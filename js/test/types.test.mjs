// Type-checks types.ts against index.d.ts with the TypeScript compiler.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

it('index.d.ts types the documented API and rejects misuse (tsc --strict)', async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const { code, out } = await new Promise((resolve) => {
    execFile(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', '--skipLibCheck', 'false', 'types.ts'],
    { cwd: dir }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, out: stdout + stderr }));
  });
  assert.equal(code, 0, out);
});
