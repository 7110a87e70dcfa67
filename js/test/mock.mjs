// Test helper: starts the real ropc-mock binary (bin/ropc-mock, built by
// scripts/test-js.sh) on a free loopback port for one test file.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MOCK_BIN = process.env.ROPC_MOCK ?? fileURLToPath(new URL('../../bin/ropc-mock', import.meta.url));

/** The built-in demo credentials of ropc-mock (its one copy: mockserver/demo.json). */
export const DEMO = JSON.parse(readFileSync(new URL('../../mockserver/demo.json', import.meta.url), 'utf8'));

/** The config most JS tests run against (the mock's config-file keys). */
export const CONFIG = {
  access_token_ttl: '1h',
  refresh_token_ttl: '720h',
  clients: [
    { client_id: 'client_id', client_secret: 'client_secret', scopes: ['read', 'write'] },
    { client_id: 'public-app', public: true, scopes: ['read'] },
  ],
  users: [
    { username: 'johndoe', password: 'A3ddj3w', claims: { email: 'johndoe@example.com' } },
    // Wrong-password tests use their own users so lockout never hits johndoe.
    { username: 'mallory', password: 'Corr3ct-Horse' },
    { username: 'alice', password: 'W0nderland!' },
  ],
};

/** CONFIG plus DPoP clients (RFC 9449): nonces required, proof required, and a server that ignores DPoP. */
export const DPOP_CONFIG = {
  ...CONFIG,
  clients: [
    ...CONFIG.clients,
    { client_id: 'dpop-nonce', public: true, scopes: ['read'], dpop: 'required', dpop_nonce: true },
    { client_id: 'dpop', public: true, scopes: ['read'], dpop: 'required' },
    { client_id: 'no-dpop', public: true, scopes: ['read'], dpop: 'ignored' },
  ],
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the mock with `config`, or with its built-in demo config (DEMO) when config is null. */
export async function startMock({ config = CONFIG, admin = true } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ropc-js-test-'));
  const configPath = join(dir, 'config.json');
  if (config) await writeFile(configPath, JSON.stringify(config));
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = ['-addr', `127.0.0.1:${port}`, ...(config ? ['-config', configPath] : []), '-key-file=', ...(admin ? ['-admin'] : [])];
    // cwd is a scratch dir: the mock may write its signing-key file there.
    const child = spawn(MOCK_BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitHealthy(url, exited);
      return new Mock(child, exited, url, admin, dir);
    } catch (e) {
      child.kill('SIGKILL');
      await exited;
      lastErr = new Error(`ropc-mock did not start: ${e.message}\n${log}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastErr;
}

async function waitHealthy(url, exited) {
  let dead = false;
  exited.then(() => { dead = true; });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error('exited early');
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no answer on /healthz within 10s');
}

class Mock {
  constructor(child, exited, url, admin, dir) {
    this.child = child;
    this.exited = exited;
    this.url = url;
    this.issuer = url;
    this.tokenUrl = `${url}/token`;
    this.admin = admin;
    this.dir = dir;
  }

  async stop() {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
    await rm(this.dir, { recursive: true, force: true });
  }

  async adminCall(method, path, body) {
    if (!this.admin) throw new Error('this ropc-mock was started without -admin');
    const res = await fetch(`${this.url}/_admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`admin ${method} ${path}: HTTP ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  addFault(rule) { return this.adminCall('POST', '/faults', rule); }
  clearFaults() { return this.adminCall('DELETE', '/faults'); }
  requests() { return this.adminCall('GET', '/requests'); }
  clearRequests() { return this.adminCall('DELETE', '/requests'); }
  clock(body) { return this.adminCall('POST', '/clock', body); }
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret: what the user's authenticator app shows. */
export async function totp(secretBase32, now = Date.now()) {
  const { createHmac } = await import('node:crypto');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

/** Approves or denies the pending out-of-band challenge of a user (the mock's admin API). */
export function decideMFA(mock, username, approve) {
  return mock.adminCall('POST', approve ? '/mfa/approve' : '/mfa/deny', { username });
}
