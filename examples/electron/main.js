// Electron main process: owns the ropc client and the tokens. The renderer is
// sandboxed (contextIsolation, no Node) and reaches sign-in only through the
// IPC calls that preload.js exposes.
const path = require('node:path');
const { app, BrowserWindow, ipcMain, net } = require('electron');

const ISSUER = process.env.ROPC_ISSUER ?? 'http://127.0.0.1:8080';
const CLIENT_ID = process.env.ROPC_CLIENT_ID ?? 'client_id';
const CLIENT_SECRET = process.env.ROPC_CLIENT_SECRET ?? 'client_secret';

let auth;
let win;

function createWindow() {
  win = new BrowserWindow({
    width: 480,
    height: 420,
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  });
  win.loadFile(path.join(__dirname, 'index.html'));
}

/** Answers IPC only from our own page, never from a navigated-away frame. */
function fromOurPage(event) {
  return event.senderFrame?.url?.startsWith('file://') && event.sender === win?.webContents;
}

app.whenReady().then(async () => {
  // ropc is ESM; main.js stays CommonJS so preload.js (CommonJS, required by
  // sandboxed preloads) can live beside it in one package.
  const { createAuthService } = await import('./auth.mjs');
  const { createSafeStorageStore } = await import('ropc/electron');
  // The session survives a restart, encrypted with safeStorage. Where that would be plaintext
  // (Linux without a secret service: basic_text) the store refuses and the app keeps the
  // session in memory only.
  const store = await createSafeStorageStore().catch((e) => {
    console.warn(`not keeping the session between runs: ${e.message}`);
    return undefined;
  });
  auth = await createAuthService({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    fetch: net.fetch, // Chromium's network stack: system proxy and certificate store
    store,
  });
  ipcMain.handle('auth:sign-in', (event, username, password) =>
    fromOurPage(event) ? auth.signIn(username, password) : { signedIn: false, error: 'refused' });
  ipcMain.handle('auth:sign-out', (event) => (fromOurPage(event) ? auth.signOut() : null));
  ipcMain.handle('auth:status', (event) => (fromOurPage(event) ? auth.status() : null));
  ipcMain.handle('auth:userinfo', (event) => (fromOurPage(event) ? auth.userinfo() : null));
  createWindow();
  app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) createWindow(); });
}).catch((e) => {
  console.error(`${e.name}: ${e.message}`);
  app.exit(1);
});

app.on('window-all-closed', () => {
  auth?.close();
  if (process.platform !== 'darwin') app.quit();
});
