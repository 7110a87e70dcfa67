// Compiled (not run) by types.test.mjs with tsc --strict: the declarations
// in index.d.ts accept the documented API and reject misuse.
import { createClient, OAuthError, TransportError, type Token, type Client, type Session, type Challenge, type ErrorKind } from 'ropc';
import { createSafeStorageStore } from 'ropc/electron';

async function documented(): Promise<void> {
  const client: Client = await createClient({
    tokenUrl: 'https://as.example/token', issuer: 'https://as.example', clientId: 'id', clientSecret: 'secret',
    authMethod: 'client_secret_post', fetch: globalThis.fetch, timeoutMs: 5000, allowInsecureHttp: false,
  });
  const token: Token = await client.passwordGrant({ username: 'u', password: 'p', scope: ['read'], params: { audience: 'api' } });
  const expiresIn: number | null = token.expiresIn;
  const expiresAt: number | null = token.expiresAt;
  const refreshToken: string | null = token.refreshToken;
  const scope: string = token.scope;
  const raw: Record<string, unknown> = token.raw;
  void [expiresIn, expiresAt, refreshToken, scope, raw];
  await client.refresh(token.refreshToken ?? '', { scope: 'read' });
  await client.revoke(token.accessToken, { hint: 'access_token' });
  const info = await client.introspect(token.accessToken);
  const active: boolean = info.active;
  void active;
  const session = client.session(token, { onTokenChange: (t: Token) => { void t; }, marginMs: 30_000 });
  const at: string = await session.accessToken();
  const res: Response = await session.fetch('https://api.example/me', { method: 'GET' });
  void [at, res];
  client.close();
  try {
    await client.passwordGrant({ username: 'u', password: 'p' });
  } catch (e) {
    if (e instanceof OAuthError) {
      const parts: [string, string, string, string, number] = [e.name, e.code, e.description, e.uri, e.status];
      void parts;
    } else if (e instanceof TransportError) {
      const reason: 'timeout' | 'network' | string = e.reason;
      void reason;
    }
  }
}

// Electron's net.fetch (electron.d.ts), which takes no URL object: accepted as options.fetch.
declare function netFetch(input: string | Request, init?: RequestInit & { bypassCustomProtocolHandlers?: boolean }): Promise<Response>;

async function electronMain(): Promise<void> {
  const client = await createClient({ issuer: 'https://as.example', clientId: 'id', fetch: netFetch });
  // ropc/electron: sessions saved with safeStorage, resumed after a restart.
  const store = await createSafeStorageStore();
  const token = await client.passwordGrant({ username: 'u', password: 'p' });
  const session = client.session(token, { store, name: 'work' });
  await session.saved;
  const resumed: Session = await client.resume(store, 'work');
  const backend: string = store.backend;
  void [resumed, backend];
  // @ts-expect-error allowPlaintext is a boolean
  await createSafeStorageStore({ allowPlaintext: 'yes' });
  // @ts-expect-error resume takes the store and the name
  await client.resume('work');
}

// createClient({ wasm }) in each form it takes (README "Bundlers and Electron").
async function wasmSources(bytes: Uint8Array, module: WebAssembly.Module): Promise<void> {
  const tokenUrl = 'https://as.example/token';
  const clientId = 'app';
  await createClient({ tokenUrl, clientId, wasm: new URL('https://cdn.example/ropc.wasm') });
  await createClient({ tokenUrl, clientId, wasm: '/assets/ropc.wasm' });
  await createClient({ tokenUrl, clientId, wasm: fetch('/assets/ropc.wasm') });
  await createClient({ tokenUrl, clientId, wasm: await fetch('/assets/ropc.wasm') });
  await createClient({ tokenUrl, clientId, wasm: bytes });
  await createClient({ tokenUrl, clientId, wasm: bytes.buffer as ArrayBuffer });
  await createClient({ tokenUrl, clientId, wasm: module });
  // WebAssembly.Module is an empty interface in lib.dom, so tsc cannot refuse
  // other values here; createClient does (loader.test.mjs).
}

// DPoP (RFC 9449): a generated key, or the app's own key pair.
async function dpopUse(keyPair: CryptoKeyPair): Promise<void> {
  const generated = await createClient({ tokenUrl: 'https://as.example/token', clientId: 'app', authMethod: 'none', dpop: true });
  const own = await createClient({ tokenUrl: 'https://as.example/token', clientId: 'app', dpop: { keyPair, allowBearer: false } });
  const jkt: string | null = generated.dpopThumbprint;
  void [own, jkt];
  // @ts-expect-error dpop is a boolean or { keyPair, allowBearer }
  await createClient({ tokenUrl: 'https://as.example/token', clientId: 'app', dpop: 'yes' });
}

async function misuse(client: Client): Promise<void> {
  // @ts-expect-error authMethod is one of three strings
  await createClient({ tokenUrl: 'https://as.example/token', clientId: 'app', authMethod: 'private_key_jwt' });
  // @ts-expect-error clientId is required (RFC 6749 §3.2.1)
  await createClient({ tokenUrl: 'https://as.example/token' });
  // @ts-expect-error password is required
  await client.passwordGrant({ username: 'u' });
  // @ts-expect-error scope is a string or string[]
  await client.passwordGrant({ username: 'u', password: 'p', scope: 1 });
}

// Errors a test double or a wrapper can construct, as the runtime does.
const oauth = new OAuthError({ code: 'invalid_grant', description: 'bad', status: 400 });
const transport = new TransportError('ropc: offline', { reason: 'network' });
void [oauth, transport];
// @ts-expect-error an OAuthError is built from its fields, not a message
void new OAuthError('invalid_grant');
// @ts-expect-error reason is one of the documented values
void new TransportError('x', { reason: 'bogus' });

// Sign-in with a second factor; errors name the situation.
async function signInWithMFA(client: Client): Promise<void> {
  const ac = new AbortController();
  try {
    await client.signIn({
      username: 'u', password: 'p', realm: 'Username-Password-Authentication', signal: ac.signal,
      onChallenge: async (c: Challenge) => {
        if (c.type === 'oob') return;
        if (c.type === 'select_authenticator') return c.authenticators[0].id;
        return '123456';
      },
    });
  } catch (e) {
    if (e instanceof OAuthError) {
      const kind: ErrorKind = e.kind;
      const wait: number | null = e.retryAfter;
      void [kind, wait, e.extra.mfa_token];
    }
  }
  // @ts-expect-error onChallenge gets a challenge object
  await client.signIn({ username: 'u', password: 'p', onChallenge: (c: string) => c });
}
// @ts-expect-error kind is one of the documented values
void new OAuthError({ code: 'x', kind: 'wrong_password' });

void signInWithMFA;
void documented;
void electronMain;
void dpopUse;
void misuse;
void wasmSources;
