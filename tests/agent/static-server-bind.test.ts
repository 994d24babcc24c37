import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/net/free-port";
import { STATIC_SERVER_PATH } from "../../src/agent/runtime/process/detect-app";

/**
 * Issue 12 item 16: the built-in static server listens on the address it is given ($HOST), and on
 * loopback when none is given, never on every interface. 127.0.0.2 is a second loopback address
 * on Linux, so "listens only where told" is observable without a second network interface.
 */
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGTERM");
});

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: "/", timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function serve(env: Record<string, string>): Promise<{ port: number; output: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), "wh-static-"));
  writeFileSync(join(dir, "index.html"), "<h1>hi</h1>");
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [STATIC_SERVER_PATH, dir], { env: { ...process.env, HOST: "", PORT: String(port), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 10_000;
  while (!/serving .* on /.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`static server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, output: () => output };
}

describe("built-in static server bind address", () => {
  it("without HOST it listens on 127.0.0.1 only", async () => {
    const { port, output } = await serve({});
    expect(output()).toContain(`on 127.0.0.1:${port}`);
    expect(await answers("127.0.0.1", port)).toBe(true);
    // 0.0.0.0 would answer here too.
    expect(await answers("127.0.0.2", port)).toBe(false);
  });

  it("listens on exactly the HOST it is given", async () => {
    const { port, output } = await serve({ HOST: "127.0.0.2" });
    expect(output()).toContain(`on 127.0.0.2:${port}`);
    expect(await answers("127.0.0.2", port)).toBe(true);
    expect(await answers("127.0.0.1", port)).toBe(false);
  });
});
