// ropc/electron: keeps saved sessions in Electron's main process, encrypted with safeStorage
// (the OS keychain's key on macOS, DPAPI on Windows, the Secret Service or KWallet on Linux)
// in files under app.getPath('userData'). The store only moves bytes: the record inside is
// encoded and checked by the Go core (client.session({ store, name }), client.resume).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { TransportError } from './errors.js';
import { loadCore } from './loader.js';
import './node.js'; // the main process is Node: ropc.wasm is read from disk

const MAX_FILE_BYTES = 512 << 10; // an encrypted record is a few KB

/**
 * Creates a token store on Electron's safeStorage. Call it in the main process after the app
 * is ready. `safeStorage` and `dir` default to Electron's (`app.getPath('userData')/ropc-tokens`);
 * pass them to use the store elsewhere (tests). On Linux a `basic_text` backend (a hard-coded
 * key: no protection) is refused unless `allowPlaintext: true`. `wasm` is createClient's option
 * of that name, for an app that moved ropc.wasm.
 */
export async function createSafeStorageStore({ safeStorage, dir, allowPlaintext = false, platform = process.platform, wasm } = {}) {
  if (!safeStorage || !dir) {
    const electron = await import('electron').catch((e) => {
      throw new TransportError('ropc/electron: Electron is not available here: pass { safeStorage, dir }', {
        reason: 'store_unavailable', cause: e,
      });
    });
    safeStorage ??= electron.safeStorage;
    dir ??= join(electron.app.getPath('userData'), 'ropc-tokens');
  }
  const core = await loadCore(wasm);
  const crypt = await cipher(safeStorage, { allowPlaintext, platform });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (platform !== 'win32') await chmod(dir, 0o700); // the directory is ours: readable by the user only

  const checkName = (name) => {
    const out = JSON.parse(core.checkStoreName(String(name ?? '')));
    if (out.error) throw new TransportError(`ropc/electron: ${out.error.message.replace(/^ropc: /, '')}`, { reason: 'invalid_input' });
    return join(dir, `${name}.bin`);
  };

  async function readRecord(path) {
    let bytes;
    try {
      const st = await stat(path);
      if (st.size > MAX_FILE_BYTES) throw new TransportError(`ropc/electron: ${path} is larger than any saved token`, { reason: 'store_corrupt' });
      bytes = await readFile(path);
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
    try {
      return await crypt.decrypt(bytes);
    } catch (e) {
      throw new TransportError(`ropc/electron: ${path} cannot be decrypted (another user's, another machine's, or damaged): sign in again`, {
        reason: 'store_corrupt', cause: e,
      });
    }
  }

  async function writeRecord(path, record) {
    const bytes = await crypt.encrypt(record);
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const f = await open(tmp, 'wx', 0o600);
    try {
      await f.writeFile(bytes);
      await f.sync();
    } finally {
      await f.close();
    }
    try {
      await rename(tmp, path); // readers see the old record or the new one, never a mix
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    // Read back: a store that reports success for a write it did not keep is worse than one
    // that fails.
    const back = await readRecord(path);
    if (back?.record !== record) {
      throw new TransportError(`ropc/electron: ${path} does not hold what was written`, { reason: 'store_corrupt' });
    }
  }

  return {
    /** Where the files are. */
    dir,
    /** The safeStorage backend in use ('basic_text', 'gnome_libsecret', ...; 'os' off Linux). */
    backend: crypt.backend,
    async load(name) {
      const path = checkName(name);
      const got = await readRecord(path);
      if (got === null) return null;
      // Key rotation (async API): write the record again under the current key.
      if (got.shouldReEncrypt) await writeRecord(path, got.record);
      return got.record;
    },
    async save(name, record) {
      await writeRecord(checkName(name), String(record));
    },
    async delete(name) {
      await rm(checkName(name), { force: true });
    },
  };
}

/**
 * Picks safeStorage's async API where this Electron has it (the sync one is deprecated), checks
 * that encryption is available and, on Linux, that the backend is not basic_text.
 */
async function cipher(safeStorage, { allowPlaintext, platform }) {
  const hasAsync = typeof safeStorage.encryptStringAsync === 'function' && typeof safeStorage.decryptStringAsync === 'function';
  const available = hasAsync && typeof safeStorage.isAsyncEncryptionAvailable === 'function'
    ? await safeStorage.isAsyncEncryptionAvailable()
    : safeStorage.isEncryptionAvailable();
  if (!available) {
    throw new TransportError('ropc/electron: safeStorage has no encryption available on this machine (no keychain or secret service); tokens are not saved', {
      reason: 'store_unavailable',
    });
  }
  let backend = 'os';
  if (platform === 'linux' && typeof safeStorage.getSelectedStorageBackend === 'function') {
    backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'unknown') {
      throw new TransportError('ropc/electron: safeStorage is not ready: create the store after app.whenReady()', { reason: 'store_unavailable' });
    }
    if (backend === 'basic_text' && !allowPlaintext) {
      throw new TransportError('ropc/electron: safeStorage uses the basic_text backend here (no secret service found): ' +
        'it encrypts with a hard-coded key, so saved tokens would be as readable as plaintext; ' +
        'pass allowPlaintext: true to accept that, or run a secret service (GNOME Keyring, KWallet)', { reason: 'store_plaintext' });
    }
  }
  if (hasAsync) {
    return {
      backend,
      encrypt: (s) => safeStorage.encryptStringAsync(s),
      async decrypt(b) {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(b);
        return { record: result, shouldReEncrypt: shouldReEncrypt === true };
      },
    };
  }
  return {
    backend,
    encrypt: async (s) => safeStorage.encryptString(s),
    decrypt: async (b) => ({ record: safeStorage.decryptString(b), shouldReEncrypt: false }),
  };
}
