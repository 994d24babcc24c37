/** The files of the sample app newcomers deploy first: a dependency-free Node server. */
export const sampleAppFiles: Record<string, string> = {
  "package.json": `${JSON.stringify(
    {
      name: "wisehosting-sample-app",
      version: "1.0.0",
      private: true,
      description: "A tiny app to try WiseHosting with: a page, a health check and a CPU burner.",
      scripts: { start: "node server.js" },
      engines: { node: ">=20" },
    },
    null,
    2,
  )}\n`,
  "server.js": `// WiseHosting sample app. Listens on $PORT (the platform sets it).
const http = require("node:http");
const { Worker } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");

const port = Number(process.env.PORT || 8080);
const greeting = process.env.GREETING || "Hello from WiseHosting";
const release = fs.readFileSync(path.join(__dirname, "RELEASE"), "utf8").trim();
const startedAt = new Date();
let busyUntil = 0;

// Burns one core in a worker thread, so the page stays responsive while CPU use is high.
function burn(seconds) {
  busyUntil = Date.now() + seconds * 1000;
  const code = "const { workerData } = require('node:worker_threads'); const end = Date.now() + workerData * 1000; while (Date.now() < end) {}";
  new Worker(code, { eval: true, workerData: seconds }).on("error", (err) => console.error("busy worker failed:", err.message));
}

const page = () => \`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>\${greeting}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}</style></head>
<body><h1>\${greeting}</h1>
<p>This app runs on WiseHosting. Release: <strong id="release">\${release}</strong>.</p>
<p>Started \${startedAt.toISOString()} · Node \${process.version} · port \${port}</p>
<p>Try <code>/health</code>, or <code>/busy?seconds=60</code> to keep one CPU core busy (for trying alerts).</p>
</body></html>\`;

const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (url.pathname === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", release, busy: Date.now() < busyUntil }));
    return;
  }
  if (url.pathname === "/busy") {
    const seconds = Math.min(600, Math.max(1, Number(url.searchParams.get("seconds")) || 60));
    burn(seconds);
    res.writeHead(202, { "content-type": "application/json" });
    res.end(JSON.stringify({ busy: true, seconds }));
    console.log(\`burning one core for \${seconds} s\`);
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(page());
});

server.listen(port, () => console.log(\`sample app (release \${release}) listening on port \${port}\`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
  RELEASE: "1\n",
  "README.md": `# WiseHosting sample app

A dependency-free Node app: \`npm start\` serves a page on \`$PORT\`.

- \`/\` — a page showing the release number (the \`RELEASE\` file)
- \`/health\` — \`{"status":"ok"}\`
- \`/busy?seconds=60\` — keeps one CPU core busy, to try CPU alerts
`,
  ".gitignore": "node_modules/\n",
};
