// The floor of scripts/bench-worker.sh: a plain JavaScript worker served by
// the same `wrangler dev` as the Go worker, so the Go worker's figures can be
// read as a ratio over what any worker costs on this machine in this run.
// It reads the request body (as the mock does) and answers a small JSON
// document, whatever the path.
export default {
  async fetch(request) {
    if (request.body !== null) {
      await request.arrayBuffer();
    }
    return new Response('{"status":"ok"}', {
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store", "X-Ropc-Floor": "1" },
    });
  },
};
