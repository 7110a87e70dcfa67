// Test helper: the package as npm publishes it. `npm pack` (package.json's
// files, plus LICENSE and README) into a scratch directory, unpacked into
// <dir>/node_modules/ropc as installing the tarball lays it out (the package
// has no dependencies), so a project in <dir> imports 'ropc' from it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PKG = fileURLToPath(new URL('../', import.meta.url));

/** Packs js/ and unpacks it; `files` is npm's list ({ path, size, mode }). */
export async function packed() {
  const dir = await mkdtemp(join(tmpdir(), 'ropc-packed-'));
  const { stdout } = await run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', dir], { cwd: PKG });
  const [info] = JSON.parse(stdout);
  const tarball = join(dir, info.filename);
  const root = join(dir, 'node_modules', 'ropc');
  await mkdir(root, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', root, '--strip-components=1']);
  return { dir, tarball, root, files: info.files, close: () => rm(dir, { recursive: true, force: true }) };
}
