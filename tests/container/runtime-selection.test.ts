import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig, type AgentConfig } from "../../src/agent/config/agent-config";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";
import { RuntimeSelection, type RuntimeChoice } from "../../src/agent/runtime/container/runtime-selection";
import { ProcessRuntime } from "../../src/agent/runtime/process/process-runtime";
import { recordEvents, tempStateDir } from "../agent/support/runtime-harness";
import { openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/** `--runtime` / AGENT_RUNTIME and the choice made in init (src/agent/runtime/container/runtime-selection.ts). */
let fx: ContainerFixture;

beforeAll(async () => {
  fx = await openContainerFixture("select");
}, 600_000);

afterAll(async () => {
  await fx?.cleanup();
}, 120_000);

function logSink() {
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l).msg as string) });
  return { log, lines };
}

function selection(choice: RuntimeChoice, env: Record<string, string | undefined>, stateDir: string) {
  const { log, lines } = logSink();
  const events = recordEvents();
  const options = { stateDir, startTimeoutMs: 10_000, crashBackoff: { initialMs: 500, maxMs: 2_000 }, events, log };
  const runtime = new RuntimeSelection({
    choice,
    stateDir,
    log,
    env,
    process: () => new ProcessRuntime({ ...options, allowLocalRepos: true }),
    container: (session, baseImage) =>
      new ContainerRuntime({ ...options, engine: session.engine, workerName: fx.workerName, baseImage, allowLocalRepos: true }),
  });
  return { runtime, lines };
}

const socket = () => (fx.engine.address.kind === "unix" ? `unix://${fx.engine.address.socketPath}` : `tcp://${fx.engine.address.host}:${fx.engine.address.port}`);

describe("runtime choice", () => {
  it("reads --runtime and AGENT_RUNTIME; auto for a remote hub, process for a loopback one", () => {
    const base = ["--api-key", "k".repeat(32), "--state-dir", "/tmp/x", "--name", "w1"];
    const load = (argv: string[], env: Record<string, string> = {}) => loadAgentConfig([...base, ...argv], env) as AgentConfig;
    expect(load(["--hub", "https://hub.example.com"]).runtime).toBe("auto");
    expect(load(["--hub", "http://127.0.0.1:3001"]).runtime).toBe("process");
    expect(load(["--hub", "http://127.0.0.1:3001"], { AGENT_RUNTIME: "container" }).runtime).toBe("container");
    expect(load(["--hub", "https://hub.example.com", "--runtime", "process"], { AGENT_RUNTIME: "container" }).runtime).toBe("process");
    expect(load(["--hub", "https://hub.example.com"]).keepImages).toBe(3);
    expect(() => load(["--hub", "https://hub.example.com", "--runtime", "vm"])).toThrow(/runtime: must be container, process or auto/);
  });

  it("container and auto use the engine that answers and log it", async () => {
    for (const choice of ["container", "auto"] as const) {
      const state = tempStateDir();
      const { runtime, lines } = selection(choice, { DOCKER_HOST: socket(), PATH: process.env.PATH }, state.dir);
      await runtime.init();
      expect(runtime.kind).toBe("container");
      expect(lines.some((l) => /^container engine: (Podman|Docker) \S+ \(API/.test(l))).toBe(true);
      expect(runtime.appStates()).toEqual([]);
      await runtime.shutdown(false);
      state.cleanup();
    }
  }, 120_000);

  it("auto falls back to processes when no engine answers and says what to install; container refuses", async () => {
    const state = tempStateDir();
    const env = { DOCKER_HOST: "unix:///nonexistent/wh-no-engine.sock", PATH: process.env.PATH };
    const auto = selection("auto", env, state.dir);
    await auto.runtime.init();
    expect(auto.runtime.kind).toBe("process");
    expect(auto.lines.filter((l) => l.includes("apt-get install podman"))).toHaveLength(1);
    await auto.runtime.shutdown(true);

    const strict = selection("container", env, state.dir);
    await expect(strict.runtime.init()).rejects.toThrow(/no container engine/);
    state.cleanup();
  }, 60_000);
});
