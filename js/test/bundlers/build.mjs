// The bundlers js/test/bundlers.test.mjs builds its page with, each set up as
// its documentation shows for a browser build and nothing ropc-specific.
// Each resolves to the warnings the bundler printed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { build as viteBuild, createServer as viteServer } from 'vite';
import webpack from 'webpack';

const run = promisify(execFile);
const esbuildBin = fileURLToPath(new URL('node_modules/.bin/esbuild', import.meta.url));

export const bundlers = {
  // The command line a browser app uses.
  async esbuild(app, out) {
    const { stderr } = await run(esbuildBin,
      ['main.js', '--bundle', '--format=esm', '--platform=browser', `--outdir=${out}`, '--log-level=warning'], { cwd: app });
    return stderr.trim() ? [stderr.trim()] : [];
  },

  // `vite build` with no config file.
  async vite(app, out) {
    const warnings = [];
    const logger = {
      info() {}, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false,
      warn(msg) { warnings.push(msg); }, warnOnce(msg) { warnings.push(msg); }, error(msg) { warnings.push(msg); },
    };
    await viteBuild({ root: app, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir: out, emptyOutDir: true } });
    return warnings;
  },

  // The minimal webpack 5 config: mode, entry, output.
  webpack(app, out) {
    const config = { mode: 'production', context: app, entry: './main.js', output: { path: out } };
    return new Promise((resolve, reject) => {
      webpack(config, (err, stats) => {
        if (err) return reject(err);
        const info = stats.toJson({ all: false, errors: true, warnings: true });
        if (stats.hasErrors()) return reject(new Error(info.errors.map((e) => e.message).join('\n')));
        // Size advice (the module is about 4 MB) is not a build problem.
        resolve(info.warnings.filter((w) => !/size limit|performance recommendations/.test(w.message)).map((w) => w.message));
      });
    });
  },

  // rollup with @rollup/plugin-node-resolve for the browser.
  async rollup(app, out) {
    const warnings = [];
    const bundle = await rollup({
      input: join(app, 'main.js'), plugins: [nodeResolve({ browser: true })], onwarn: (w) => warnings.push(w.message),
    });
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    return warnings;
  },
};

/** `vite` (the dev server, which pre-bundles dependencies) serving the app on a free loopback port. */
export async function viteDev(app) {
  const server = await viteServer({
    root: app, configFile: false, logLevel: 'warn', clearScreen: false, server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  return { port: server.httpServer.address().port, close: () => server.close() };
}
