// A second floor for scripts/bench-worker.sh: a plain JavaScript worker that
// runs the D1 statements of one password grant (mockserver/sqlstore's
// LoginState read and PutRefreshToken write, at once, as the mock does on a
// networked store) before answering. Local D1 keeps its SQLite database on
// disk in the wrangler dev process, so a write costs milliseconds whatever
// the worker's language: the Go worker's grant is read against this figure
// to see what Go adds.
export default {
  async fetch(request, env) {
    if (request.body !== null) {
      await request.arrayBuffer();
    }
    if (new URL(request.url).pathname === "/token") {
      const now = Date.now() * 1000;
      await Promise.all([
        env.DB.prepare("SELECT failures, window_start, locked_until FROM ropc_login_states WHERE username = ?")
          .bind("johndoe")
          .all(),
        env.DB.prepare(
          `INSERT OR REPLACE INTO ropc_refresh_tokens
           (hash, family, client_id, subject, scope, issued_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
          .bind(crypto.randomUUID(), crypto.randomUUID(), "client_id", "johndoe", "read", now, now + 3600e6, null)
          .run(),
      ]);
    }
    return new Response('{"status":"ok"}', {
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    });
  },
};
