// The page js/test/bundlers.test.mjs bundles: the whole flow through the
// package as an app would import it.
import { createClient } from 'ropc';

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
// with the revoked token shows the revocation took. The test passes the
// mock's client ({ clientId, clientSecret }) and user ({ username, password }).
window.ropcFlow = async ({ issuer, client: registered, user, wasm = 'none', wasmURL }) => {
  const client = await createClient({ issuer, ...registered, ...(await wasmOption(wasm, wasmURL)) });
  const token = await client.passwordGrant({ ...user, scope: 'read' });
  const me = await client.session(token).fetch(`${issuer}/userinfo`);
  const claims = await me.json();
  const next = await client.refresh(token.refreshToken);
  await client.revoke(next.refreshToken, { hint: 'refresh_token' });
  return {
    origin: location.origin,
    tokenType: token.tokenType,
    userinfo: { status: me.status, sub: claims.sub },
    refreshed: next.accessToken !== token.accessToken,
    afterRevoke: await failure(client.refresh(next.refreshToken)),
  };
};

window.ropcLoadError = async ({ tokenUrl }) => {
  try {
    await createClient({ tokenUrl, clientId: 'app' });
    return { name: 'no error' };
  } catch (e) {
    return { name: e.name, reason: e.reason, message: e.message };
  }
};
