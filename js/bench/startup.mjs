// One sample of "import to ready client" (run in a fresh process by bench.mjs).
const t0 = performance.now();
const { createClient } = await import('ropc');
await createClient({ tokenUrl: 'http://127.0.0.1:9/token', clientId: 'client_id', clientSecret: 'client_secret' });
process.stdout.write(String(performance.now() - t0));
