// Renderer: UI only. window.auth comes from preload.js (contextBridge).
const $ = (id) => document.getElementById(id);

function show(state) {
  const status = $('status');
  const signedIn = Boolean(state?.signedIn);
  if (state?.error) {
    status.dataset.state = 'error';
    status.textContent = state.error;
  } else if (signedIn) {
    status.dataset.state = 'signed-in';
    const until = state.expiresAt ? ` until ${new Date(state.expiresAt).toLocaleTimeString()}` : '';
    status.textContent = `Signed in as ${state.username} (scope: ${state.scope})${until}.`;
  } else {
    status.dataset.state = 'signed-out';
    status.textContent = 'Not signed in.';
  }
  $('sign-out').hidden = !signedIn;
  $('whoami').hidden = !signedIn;
  $('sign-in').hidden = signedIn;
  if (!signedIn) $('claims').textContent = '';
}

async function run(action) {
  for (const b of document.querySelectorAll('button')) b.disabled = true;
  try {
    show(await action());
  } catch {
    show({ error: 'Something went wrong; please try again.' });
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
  }
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $('username').value;
  const password = $('password').value;
  $('password').value = ''; // do not keep the password in the page
  run(() => window.auth.signIn(username, password));
});
$('sign-out').addEventListener('click', () => run(() => window.auth.signOut()));
$('whoami').addEventListener('click', () => run(async () => {
  const state = await window.auth.userinfo();
  $('claims').textContent = state.claims ? JSON.stringify(state.claims, null, 2) : '';
  return state;
}));

if (window.auth) run(() => window.auth.status());
