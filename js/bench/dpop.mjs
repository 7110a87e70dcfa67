// What a DPoP proof (RFC 9449) adds to a password grant in the ropc package,
// against the real ropc-mock on loopback: the proof built by the Go core,
// signed by WebCrypto, checked by the mock. Interleaved with Bearer grants
// of the same public client in the same run; prints figures, fails nothing.
import { createClient } from 'ropc';
import { startMock } from '../test/mock.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const N = Number(process.env.ROPC_BENCH_DPOP_GRANTS ?? 500);

const mock = await startMock({ admin: false });
try {
  const user = { username: 'johndoe', password: 'A3ddj3w' };
  const make = (dpop) => createClient({ tokenUrl: mock.tokenUrl, clientId: 'public-app', authMethod: 'none', dpop });
  const bearer = await make(false);
  const keys = {
    'ES256 (generated, non-extractable)': true,
    EdDSA: { keyPair: await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) },
  };
  for (const [name, option] of Object.entries(keys)) {
    const dpop = await make(option);
    const tBearer = []; const tDPoP = [];
    const timed = async (c, into, want) => {
      const t = performance.now();
      const tok = await c.passwordGrant(user);
      into.push(performance.now() - t);
      if (tok.tokenType !== want) throw new Error(`expected a ${want} token, got ${tok.tokenType}`);
    };
    for (let i = 0; i < 50; i++) { await timed(bearer, [], 'Bearer'); await timed(dpop, [], 'DPoP'); }
    for (let i = 0; i < N; i++) {
      if (i % 2) { await timed(bearer, tBearer, 'Bearer'); await timed(dpop, tDPoP, 'DPoP'); } else { await timed(dpop, tDPoP, 'DPoP'); await timed(bearer, tBearer, 'Bearer'); }
    }
    const over = (median(tDPoP) / median(tBearer) - 1) * 100;
    console.log(`DPoP ${name}: passwordGrant median ${median(tDPoP).toFixed(3)} ms vs Bearer ${median(tBearer).toFixed(3)} ms ` +
      `(${N} each, interleaved): +${over.toFixed(1)}%  (target < 15%: ${over < 15 ? 'within target' : 'OVER TARGET'})`);
  }
} finally {
  await mock.stop();
}
