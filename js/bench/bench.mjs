// Benchmarks of the ropc package: prints figures, passes or fails
// nothing. Run through scripts/bench-js.sh, which builds everything first.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { createClient } from 'ropc';
import { stats } from '../loader.js';
import { startMock } from '../test/mock.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const verdict = (ok) => (ok ? 'within target' : 'OVER TARGET');
const GRANTS = Number(process.env.ROPC_BENCH_GRANTS ?? 10_000);

// 1. Size of the module.
const wasm = readFileSync(new URL('../ropc.wasm', import.meta.url));
const gz = gzipSync(wasm, { level: 9 }).length;
const br = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(`wasm size: raw ${mb(wasm.length)}, gzip ${mb(gz)}, brotli ${mb(br)}  (target gzip <= 1.20 MB: ${verdict(gz <= 1.2e6)})`);

// 2. import -> ready client, fresh process each time.
const startup = fileURLToPath(new URL('./startup.mjs', import.meta.url));
const starts = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, [startup], { encoding: 'utf8' })));
const startMedian = median(starts);
console.log(`import to ready client (Node ${process.version}, 5 fresh processes): median ${startMedian.toFixed(1)} ms ` +
  `[${starts.map((s) => s.toFixed(1)).join(', ')}]  (target <= 150 ms: ${verdict(startMedian <= 150)})`);

const mock = await startMock({ admin: false });
try {
  const user = { username: 'johndoe', password: 'A3ddj3w' };
  const client = await createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });

  // 3. passwordGrant vs a plain fetch of the same request, interleaved. The
  // baseline replays what passwordGrant sent (URL, method, headers, body, no
  // redirects), captured from one call, so the ratio is ropc's own cost.
  let sent;
  const capture = await createClient({
    tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret',
    fetch: (url, init) => {
      sent = { url, method: init.method, headers: init.headers, body: init.body, redirect: init.redirect };
      return fetch(url, init);
    },
  });
  await capture.passwordGrant(user);
  const plain = async () => {
    const res = await fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body, redirect: sent.redirect });
    const json = await res.json();
    if (!json.access_token) throw new Error('plain fetch got no token');
  };
  const grant = () => client.passwordGrant(user);
  for (let i = 0; i < 100; i++) { await plain(); await grant(); }
  const tPlain = []; const tGrant = [];
  const timed = async (f, into) => { const t = performance.now(); await f(); into.push(performance.now() - t); };
  for (let i = 0; i < 500; i++) {
    // Alternate which goes first, so neither always follows the other's work.
    if (i % 2) { await timed(plain, tPlain); await timed(grant, tGrant); } else { await timed(grant, tGrant); await timed(plain, tPlain); }
  }
  const ratio = median(tGrant) / median(tPlain);
  console.log(`passwordGrant median ${median(tGrant).toFixed(3)} ms vs plain fetch ${median(tPlain).toFixed(3)} ms ` +
    `(500 each, interleaved): ${ratio.toFixed(2)}x  (target <= 1.5x: ${verdict(ratio <= 1.5)})`);

  // 4. Heap after GRANTS grants vs after 100 (needs --expose-gc), each
  // sampled after full collections, so only what is still reachable counts.
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const sample = async () => {
    for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
    // V8's code space holds compiled code, which grows as the JIT optimises
    // (more so when the machine is busy and that happens late); the rest is
    // objects, where a leak would show.
    const code = getHeapSpaceStatistics().find((s) => s.space_name === 'code_space')?.space_used_size ?? 0;
    return { js: process.memoryUsage().heapUsed, code, ...(await stats()) };
  };
  const fresh = await createClient({ tokenUrl: mock.tokenUrl, clientId: 'client_id', clientSecret: 'client_secret' });
  for (let i = 0; i < 100; i++) await fresh.passwordGrant(user);
  const at100 = await sample();
  for (let i = 100; i < GRANTS; i++) await fresh.passwordGrant(user);
  const atN = await sample();
  const heapRatio = atN.js / at100.js;
  console.log(`JS heap after ${GRANTS} grants ${mb(atN.js)} vs after 100 ${mb(at100.js)}: ` +
    `${((heapRatio - 1) * 100).toFixed(1)}%  (target within 10%: ${verdict(Math.abs(heapRatio - 1) <= 0.10)})`);
  console.log(`  of which objects ${mb(atN.js - atN.code)} vs ${mb(at100.js - at100.code)}, compiled code ` +
    `${mb(atN.code)} vs ${mb(at100.code)}`);
  console.log(`  Go heap ${mb(atN.heapAlloc)} vs ${mb(at100.heapAlloc)}; wasm memory ${mb(atN.wasmMemoryBytes)} vs ` +
    `${mb(at100.wasmMemoryBytes)}; JS values held by Go ${atN.jsValuesHeldByGo} vs ${at100.jsValuesHeldByGo}`);
  // A leak keeps growing; JIT warm-up and pools level off. Show the trend.
  for (let i = GRANTS; i < 2 * GRANTS; i++) await fresh.passwordGrant(user);
  const at2N = await sample();
  console.log(`  JS heap after ${2 * GRANTS} grants ${mb(at2N.js)} (${(((at2N.js / atN.js) - 1) * 100).toFixed(1)}% vs ${GRANTS})`);
} finally {
  await mock.stop();
}
