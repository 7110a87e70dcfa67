// The page js/test/bundlers.test.mjs bundles: the whole flow through the
// package as an app would import it.
import { createClient } from 'ropc';

const CLIENT = { clientId: 'client_id', clientSecret: 'client_secret' };
const USER = { username: 'johndoe', password: 'A3ddj3w' };

/** createClient's wasm option in each form it takes, from `url`; none: the bundle finds the module itself. */
async function wasmOption(kind, url) {
  switch (kind) {
    case 'none': return {};
    case 'url': return { wasm: new URL(url) };
    case 'string': return { wasm: url };
    case 'response': return { wasm: await fetch(url) };
    case 'promise': return { wasm: fetch(url) };
    case 'bytes': return { wasm: new Uint8Array(await (await fetch(url)).arrayBuffer()) };
    case 'module': return { wasm: await WebAssembly.compileStreaming(fetch(url)) };
    default: throw new Error(`unknown wasm option kind ${kind}`);
  }
}

const failure = async (promise) => {
  try {
    await promise;
    return 'no error';
  } catch (e) {
    return `${e.name}:${e.reason ?? e.code}`;
  }
};

// Password grant, /userinfo through a session, refresh, revoke; a refresh
// with the revoked token shows the revocation took.
window.ropcFlow = async ({ issuer, wasm = 'none', wasmURL }) => {
  const client = await createClient({ issuer, ...CLIENT, ...(await wasmOption(wasm, wasmURL)) });
  const token = await client.passwordGrant({ ...USER, scope: 'read' });
  const me = await client.session(token).fetch(`${issuer}/userinfo`);
  const claims = await me.json();
  const next = await client.refresh(token.refreshToken);
  await client.revoke(next.refreshToken, { hint: 'refresh_token' });
  return {
    origin: location.origin,
    tokenType: token.tokenType,
    userinfo: `${me.status} ${claims.sub}`,
    refreshed: next.accessToken !== token.accessToken,
    afterRevoke: await failure(client.refresh(next.refreshToken)),
  };
};

window.ropcLoadError = async ({ tokenUrl }) => {
  try {
    await createClient({ tokenUrl, ...CLIENT });
    return { name: 'no error' };
  } catch (e) {
    return { name: e.name, reason: e.reason, message: e.message };
  }
};
