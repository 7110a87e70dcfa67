// Preload (sandboxed, CommonJS): exposes a narrow sign-in API to the page.
// The page never sees ipcRenderer, Node, or a token.
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld('auth', {
  signIn: (username, password) => ipcRenderer.invoke('auth:sign-in', String(username), String(password)),
  signOut: () => ipcRenderer.invoke('auth:sign-out'),
  status: () => ipcRenderer.invoke('auth:status'),
  userinfo: () => ipcRenderer.invoke('auth:userinfo'),
});
