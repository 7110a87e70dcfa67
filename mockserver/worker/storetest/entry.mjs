// A test-only Worker: it runs the js/wasm test binary of
// mockserver/sqlstore (TestD1StoreConformance, the shared Store suite) in
// workerd with this Worker's D1 binding, and answers with the test output.
// scripts/test-worker.sh builds storetest.wasm, serves this module with
// `wrangler dev` and checks the answer. Each request runs the binary once.
import "./wasm_exec.js";
import wasmModule from "./storetest.wasm";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok\n");
    if (url.pathname !== "/run") return new Response("POST /run runs the store suite\n", { status: 404 });
    const decoder = new TextDecoder();
    let output = "";
    // The Go runtime writes the test output through fs.writeSync.
    globalThis.fs.writeSync = (fd, buf) => {
      output += decoder.decode(buf);
      return buf.length;
    };
    const go = new Go();
    go.argv = ["storetest.wasm", "-test.v", "-test.run", "^TestD1StoreConformance$"];
    let exitCode = -1;
    go.exit = (code) => {
      exitCode = code;
    };
    const instance = new WebAssembly.Instance(wasmModule, go.importObject);
    try {
      await go.run(instance, { env, binding: {} });
    } catch (err) {
      output += `\nthe test binary failed: ${err}\n`;
    }
    return new Response(output + `\nexit code ${exitCode}\n`, {
      status: exitCode === 0 ? 200 : 500,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  },
};
