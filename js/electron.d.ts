// Types of ropc/electron: a token store for Electron's main process on safeStorage.
import type { TokenStore, WasmSource } from './index.js';

/** The part of Electron's safeStorage the store uses (the async API where the Electron version has it). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Uint8Array;
  decryptString(encrypted: Uint8Array): string;
  isAsyncEncryptionAvailable?(): Promise<boolean>;
  encryptStringAsync?(plainText: string): Promise<Uint8Array>;
  decryptStringAsync?(encrypted: Uint8Array): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: 'basic_text', 'gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6' or 'unknown'. */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageStoreOptions {
  /** Default: Electron's safeStorage. */
  safeStorage?: SafeStorageLike;
  /** Default: app.getPath('userData') + '/ropc-tokens'. Files are mode 0600 in a 0700 directory. */
  dir?: string;
  /** Accept Linux's basic_text backend (a hard-coded key: the tokens are as good as plaintext). Default false. */
  allowPlaintext?: boolean;
  /** Default: process.platform. */
  platform?: string;
  /** Where ropc.wasm is, as createClient's `wasm` option, for an app that moved it. */
  wasm?: WasmSource;
}

export interface SafeStorageStore extends TokenStore {
  /** Where the encrypted files are. */
  readonly dir: string;
  /** safeStorage's backend on Linux ('gnome_libsecret', 'kwallet5', 'basic_text' with allowPlaintext, ...), 'os' elsewhere. */
  readonly backend: string;
}

/** Creates the store; call it in the main process after app.whenReady(). */
export function createSafeStorageStore(options?: SafeStorageStoreOptions): Promise<SafeStorageStore>;
