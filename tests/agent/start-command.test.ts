import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { directStartArgv, npmStartEnv, startUnderSignalRelay } from "../../src/agent/runtime/container/start-command";

const script = (s: string, hooks = false) => ({ script: s, hooks, name: "shop", version: "1.2.3" });

describe("a generated image's start command (src/agent/runtime/container/start-command.ts)", () => {
  it("runs a start script of plain words without npm", () => {
    expect(directStartArgv(script("node server.js"))).toEqual(["node", "server.js"]);
    expect(directStartArgv(script("  next start   -p 3000 "))).toEqual(["next", "start", "-p", "3000"]);
    expect(directStartArgv(script("node --max-old-space-size=400 dist/main.js"))).toEqual(["node", "--max-old-space-size=400", "dist/main.js"]);
    expect(directStartArgv(script("@scope/bin:serve ./public"))).toEqual(["@scope/bin:serve", "./public"]);
  });

  it("keeps npm start for hooks, shell syntax, assignments and anything it cannot be sure of", () => {
    expect(directStartArgv(undefined)).toBeNull();
    expect(directStartArgv(script("node server.js", true))).toBeNull();
    for (const s of [
      "NODE_ENV=production node server.js",
      "node a.js && node b.js",
      "node server.js | tee log",
      'node "my server.js"',
      "node $ENTRY",
      "node `which app`",
      "node *.js",
      "node server.js # comment",
      "node ~/server.js",
      "node server.js > out.log",
      "(node server.js)",
      "-x",
      "",
      "node\tserver.js\nnode other.js",
    ]) {
      expect(directStartArgv(script(s)), s).toBeNull();
    }
  });

  it("sets what npm start would: bin folders first on PATH, the lifecycle, the package's name and version", () => {
    expect(npmStartEnv(script("node server.js"), "/app", "/app")).toEqual([
      "PATH=/app/node_modules/.bin:${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}",
      'npm_lifecycle_event="start"',
      'npm_lifecycle_script="node server.js"',
      'npm_package_json="/app/package.json"',
      'npm_package_name="shop"',
      'npm_package_version="1.2.3"',
    ]);
    // A monorepo app: its own bin folder, then the workspace root's.
    expect(npmStartEnv(script("next start"), "/app/apps/web", "/app")[0]).toMatch(/^PATH=\/app\/apps\/web\/node_modules\/\.bin:\/app\/node_modules\/\.bin:\$\{PATH:-/);
    // A value that would need escaping in a Containerfile is left out, never written.
    const odd = npmStartEnv({ script: "node server.js", hooks: false, name: 'x"; rm -rf /', version: "1.0.0\nRUN id" }, "/app", "/app");
    expect(odd.some((e) => e.startsWith("npm_package_name") || e.startsWith("npm_package_version"))).toBe(false);
  });

  describe("the signal relay the app runs under", () => {
    /** Runs an inline Node app under the relay; resolves once it says "ready". */
    async function relayed(code: string) {
      const [shell, ...args] = startUnderSignalRelay([process.execPath, "-e", `${code}; console.log("ready")`]);
      const child = spawn(shell!, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("ready")) resolve();
        });
        child.once("exit", () => reject(new Error(`exited before it was ready: ${err}`)));
      });
      return { child, exited, stderr: () => err };
    }

    it("passes SIGTERM to an app and exits with the app's own status", async () => {
      const graceful = await relayed("process.on('SIGTERM', () => setTimeout(() => process.exit(3), 200)); setInterval(() => {}, 1000)");
      graceful.child.kill("SIGTERM");
      expect(await graceful.exited).toEqual([3, null]);

      // No handler, as most Node apps: it dies of the signal (128 + 15), not of a later SIGKILL.
      const plain = await relayed("setInterval(() => {}, 1000)");
      plain.child.kill("SIGTERM");
      expect(await plain.exited).toEqual([143, null]);
    });

    it("passes an app's exit status through, and says when the command is not there", async () => {
      const [shell, ...args] = startUnderSignalRelay([process.execPath, "-e", "process.exit(7)"]);
      const seven = spawn(shell!, args, { stdio: "ignore" });
      expect(await once(seven, "exit")).toEqual([7, null]);

      const [sh, ...missingArgs] = startUnderSignalRelay(["no-such-command-here", "start"]);
      const missing = spawn(sh!, missingArgs, { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      missing.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      // "close": after its stderr has been read to the end ("exit" can come before the last bytes).
      expect(await once(missing, "close")).toEqual([127, null]);
      expect(err).toMatch(/wisehosting-start: .*no-such-command-here: not found/);
    });
  });
});
