import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findOnPath } from "../../src/agent/runtime/container/find-on-path";
import { podmanSocketPath } from "../../src/agent/runtime/container/podman-service";
import { isPortFree } from "../../src/net/free-port";
import { freePort } from "../helpers/free-port";
import { NpmStart, processGroupAlive } from "./support/npm-start-process";

/**
 * What a newcomer does: `npm start` with no configuration, open the status page, press Ctrl-C.
 * Uses the same build folder as the e2e run so the dashboard is built once per test run.
 */
describe("npm start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wh-npm-start-"));
  chmodSync(dataDir, 0o755);
  const started: NpmStart[] = [];
  afterAll(() => {
    for (const run of started) run.killGroup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "brings every component up, refuses a second copy, and Ctrl-C leaves nothing running",
    async () => {
      // Reserved: the web port is bound only after the dashboard build, minutes from now.
      const [webPort, hubPort, pgPort] = [await freePort(), await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        WEB_PORT: String(webPort),
        HUB_PORT: String(hubPort),
        EMBEDDED_PG_PORT: String(pgPort),
        NEXT_DIST_DIR: ".next-e2e",
        DATABASE_URL: "",
        LOG_LEVEL: "warn",
      };
      delete (env as Record<string, string | undefined>).NODE_ENV;
      const first = new NpmStart(env);
      started.push(first);
      // The banner's last line: its lines can reach this pipe in more than one chunk, so the
      // lines checked below are asserted only once the whole banner is here.
      await first.waitFor("Press Ctrl-C to stop everything.", 240_000);
      expect(first.output()).toContain(`http://localhost:${webPort}`);
      // The runtime the local agent uses is named; with Podman installed and no engine answering
      // that is containers on a Podman service of the launcher's own (src/launcher/agent-runtime.ts).
      expect(first.output()).toMatch(/Apps run as\s+(containers|processes) \(/);
      const podmanService = process.env.DOCKER_HOST ? false : /Apps run as\s+containers \(Podman [^,]+, Podman service on/.test(first.output());
      if ((await findOnPath("podman")) && !process.env.DOCKER_HOST) expect(first.output()).toMatch(/Apps run as\s+containers/);
      const servicePidFile = join(dataDir, "agent", "podman", "service.pid");
      const servicePid = podmanService ? Number(readFileSync(servicePidFile, "utf8").trim()) : 0;
      if (podmanService) expect(processGroupAlive(servicePid)).toBe(true);

      const status = await fetch(`http://localhost:${webPort}/api/trpc/status.overview`);
      const body = (await status.json()) as { result: { data: { json: { database: { ok: boolean }; hub: { ok: boolean } } } } };
      expect(body.result.data.json.database.ok).toBe(true);
      expect(body.result.data.json.hub.ok).toBe(true);

      const second = new NpmStart({ ...env, WEB_PORT: String(await freePort()), HUB_PORT: String(await freePort()) });
      started.push(second);
      expect((await second.exited).code).not.toBe(0);
      // The pipe can still hold its last lines after the exit.
      await second.waitFor(/already running from this folder \(launcher pid \d+/, 15_000);

      // A terminal Ctrl-C: SIGINT to the whole foreground process group. npm itself re-raises
      // the signal once its script ends, so what counts is the launcher's own clean stop.
      first.ctrlC();
      const { code, signal } = await first.exited;
      expect(code === 0 || signal === "SIGINT").toBe(true);
      // 'exit' can come before the last output is read from the pipe.
      await first.waitFor("[launcher] stopped", 15_000);
      expect(first.output()).not.toMatch(/did not stop within/);
      for (const port of [webPort, hubPort, pgPort]) expect(await isPortFree(port)).toBe(true);
      expect(first.groupAlive()).toBe(false);
      // Ctrl-C stopped the Podman service too (it runs in a process group of its own).
      if (podmanService) {
        expect(processGroupAlive(servicePid)).toBe(false);
        expect(existsSync(podmanSocketPath(join(dataDir, "agent")))).toBe(false);
        expect(existsSync(servicePidFile)).toBe(false);
      }
    },
    300_000,
  );
});
