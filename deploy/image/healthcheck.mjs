// The image's HEALTHCHECK (Containerfile): finds the role from PID 1's command line
// (deploy/image/entrypoint.sh execs it) and checks what that role serves.
//   web: the dashboard answers (any status below 500; the Host allow-list may answer 421)
//   hub: GET /health is 200 (database reachable, bus subscribed)
//   jobs: its heartbeat row (src/server/status/process-heartbeat.ts) is under a minute old
//   migrate: a one-shot, healthy while it runs
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";

const cmdline = readFileSync("/proc/1/cmdline", "utf8").split("\0").join(" ");

function fromCredentials(name) {
  const dir = process.env.CREDENTIALS_DIRECTORY;
  const file = dir ? join(dir, name.toLowerCase()) : null;
  if (file && existsSync(file)) return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  return process.env[name];
}

function get(port, path, host) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: host ? { host } : {}, timeout: 4000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

async function check() {
  if (cmdline.includes("src/web/server.ts")) {
    const host = process.env.PUBLIC_URL ? new URL(process.env.PUBLIC_URL).host : undefined;
    const status = await get(Number(process.env.WEB_PORT || 3000), "/", host);
    return status > 0 && status < 500 ? null : `web answered ${status}`;
  }
  if (cmdline.includes("src/ws-hub/main.ts")) {
    const status = await get(Number(process.env.HUB_PORT || 3001), "/health");
    return status === 200 ? null : `hub /health answered ${status}`;
  }
  if (cmdline.includes("src/jobs-process/main.ts")) {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: fromCredentials("DATABASE_URL"), connectionTimeoutMillis: 4000 });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT 1 FROM process_heartbeats WHERE kind = 'jobs' AND hostname = $1 AND pid = 1 AND last_seen_at > now() - interval '60 seconds'",
        [hostname()],
      );
      return rows.length > 0 ? null : "no jobs heartbeat in the last minute";
    } finally {
      await client.end();
    }
  }
  return null;
}

check().then(
  (problem) => {
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
  },
  (err) => {
    console.error(err.message);
    process.exit(1);
  },
);
