// Prints "PID PORT" of the workerd process that runs the workers of a
// `wrangler dev` session (wrangler starts two: its proxy, which owns the
// public port, and this one) and of that runtime's entry socket, where
// Miniflare's entry worker picks the worker named by the MF-Route-Override
// header. scripts/bench-worker.sh measures every worker there, the same way,
// and reads this process's CPU time. Linux only (/proc).
// Usage: node runtime.mjs WRANGLER_PGID FLOOR_WORKER_NAME
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

const [pgid, floorName] = process.argv.slice(2);
if (!pgid || !floorName) {
  console.error("usage: node runtime.mjs WRANGLER_PGID FLOOR_WORKER_NAME");
  process.exit(2);
}

function workerdProcesses() {
  const found = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[2] !== pgid) continue; // the process group (field 5)
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmdline[0].endsWith("/workerd") && cmdline.some((a) => a.startsWith("--inspector-addr"))) found.push(pid);
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let lines;
    try {
      lines = readFileSync(table, "utf8").trim().split("\n").slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9])) ports.push(parseInt(f[1].split(":")[1], 16)); // LISTEN
    }
  }
  return ports;
}

async function find() {
  const candidates = workerdProcesses();
  if (candidates.length !== 1) {
    return `want one workerd running the workers in process group ${pgid}, found ${candidates.length}`;
  }
  const pid = candidates[0];
  for (const port of listeningPorts(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { "MF-Route-Override": floorName },
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      if (res.headers.get("x-ropc-floor") === "1") {
        console.log(`${pid} ${port}`);
        process.exit(0);
      }
    } catch {
      // Not an HTTP socket (the inspector answers WebSocket upgrades only).
    }
  }
  return `no socket of workerd ${pid} serves the worker ${floorName}`;
}

// wrangler dev may still be (re)starting its runtime: try for a while.
let why;
for (let i = 0; i < 40; i++) {
  why = await find();
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error(`runtime.mjs: ${why}`);
process.exit(1);
