// The package under Node (package.json "exports" condition "node"): index.js,
// plus reading ropc.wasm from disk. Only this file imports node: modules, so
// a browser build (which resolves the "browser" or "default" entry) never
// reaches one.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { setHost } from './loader.js';

setHost({
  read: (url) => (url.protocol === 'file:' ? readFile(fileURLToPath(url)) : fetch(url)),
  // A path (absolute, or relative to the working directory) or a URL.
  toURL: (text) => (isAbsolute(text) || !/^[a-z][a-z0-9+.-]+:/i.test(text) ? pathToFileURL(resolve(text)) : new URL(text)),
  show: (url) => (url.protocol === 'file:' ? fileURLToPath(url) : url.href),
});

export * from './index.js';
