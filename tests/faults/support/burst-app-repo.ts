import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * A dependency-free Node app in a local git repository: GET /burst?n=N&tag=T writes N numbered
 * log lines at once (stdout) and answers when they are written; START_DELAY_SECONDS holds the
 * listen back, so a deploy of it stays in flight that long. Returns the file:// URL.
 */
export function createBurstAppRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "burst-app", version: "1.0.0", private: true, scripts: { start: "node server.js" } }, null, 2));
  writeFileSync(
    join(dir, "server.js"),
    `const http = require("node:http");
const port = Number(process.env.PORT || 8080);
const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (url.pathname === "/burst") {
    const n = Math.min(10000, Number(url.searchParams.get("n")) || 1000);
    const tag = url.searchParams.get("tag") || "burst";
    let text = "";
    for (let i = 1; i <= n; i += 1) text += tag + " line " + i + " of " + n + "\\n";
    // One write, flushed before the answer: every line is in the agent's pipe when the caller hears back.
    process.stdout.write(text, () => res.end("written " + n + "\\n"));
    return;
  }
  res.end("burst app\\n");
});
const delay = Number(process.env.START_DELAY_SECONDS || 0) * 1000;
setTimeout(() => server.listen(port, () => console.log("burst app listening on port " + port)), delay);
process.on("SIGTERM", () => process.exit(0));
`,
  );
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Faults", "-c", "user.email=faults@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: dir, stdio: "ignore" });
  git("init", "--quiet", "--initial-branch=main");
  git("add", "--", "package.json", "server.js");
  git("commit", "--quiet", "-m", "burst app");
  return pathToFileURL(dir).href;
}
