// Test helper for the headless-Chromium tests: which browser, how it starts,
// and a small static server for a page's origin.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

// ROPC_CHROMIUM names the browser (default Debian's /usr/bin/chromium, as in
// scripts/test-js.sh); ROPC_CHROMIUM=none runs without one (to see the skip path).
export const CHROMIUM = [process.env.ROPC_CHROMIUM ?? '/usr/bin/chromium'].find((p) => p !== 'none' && existsSync(p));
export const skip = CHROMIUM ? false : 'SKIPPED: no Chromium found (/usr/bin/chromium or $ROPC_CHROMIUM); browser tests not run';

/** A persistent headless context (playwright-core drives the installed Chromium); close() removes its profile. */
export async function launch() {
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(join(tmpdir(), 'ropc-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // The Electron page's CSP (no network, no wasm: the main process does
    // both) would block browser.test.mjs's stand-in bridge; the app keeps it.
    bypassCSP: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.css': 'text/css', '.wasm': 'application/wasm' };

/**
 * A static server on a free loopback port: `roots` maps a path prefix to a
 * directory (the longest prefix wins; a path ending in / means its
 * index.html). `/` with no root of its own is a blank page. `wasmType` lets a
 * test serve the module with a wrong MIME type.
 */
export function startStatic(roots, { wasmType } = {}) {
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (!prefix && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ropc test</title><p>ropc</p>');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const rel = prefix && normalize(path.slice(prefix.length));
    if (!rel || rel.startsWith('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(roots[prefix], rel));
      const type = extname(rel) === '.wasm' && wasmType ? wasmType : TYPES[extname(rel)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
