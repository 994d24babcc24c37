import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentStateDir, ENGINE_PACKAGES, planAgentRuntime } from "../../src/launcher/agent-runtime";
import { ConfigError } from "../../src/server/config/env";

/**
 * npm start's runtime choice for its agent without an engine (src/launcher/agent-runtime.ts); the
 * container side, on real Podman, is in tests/launcher/npm-start.test.ts.
 */
const dataDir = mkdtempSync(join(tmpdir(), "wh-launcher-runtime-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** An engine address nothing listens on: DOCKER_HOST set means only that one is tried and no Podman service is started. */
const NO_ENGINE = { DOCKER_HOST: `unix://${join(dataDir, "no-engine.sock")}`, PATH: process.env.PATH };

function plan(env: Record<string, string | undefined>) {
  const notes: string[] = [];
  return { notes, result: planAgentRuntime({ env, dataDir, note: (line) => notes.push(line) }) };
}

describe("npm start: how the local agent runs apps", () => {
  it("AGENT_RUNTIME=process wins: no engine is asked and the agent's environment is left as the operator set it", async () => {
    const { notes, result } = plan({ ...NO_ENGINE, AGENT_RUNTIME: "process" });
    const chosen = await result;
    expect(chosen.kind).toBe("process");
    expect(chosen.agentEnv).toEqual({});
    expect(chosen.summary).toMatch(/AGENT_RUNTIME=process/);
    expect(notes).toEqual([]);
  });

  it("without an engine: processes, said once with the packages to install", async () => {
    const { notes, result } = plan({ ...NO_ENGINE });
    const chosen = await result;
    expect(chosen.kind).toBe("process");
    expect(chosen.agentEnv).toEqual({ AGENT_RUNTIME: "process" });
    expect(notes.filter((n) => n.includes(ENGINE_PACKAGES))).toHaveLength(1);
    expect(notes.join("\n")).toMatch(/runs apps as processes, not isolated/);
    expect(chosen.summary).toContain("apt-get install podman");
    await chosen.close();
  });

  it("AGENT_RUNTIME=container without an engine refuses, naming what was tried", async () => {
    await expect(plan({ ...NO_ENGINE, AGENT_RUNTIME: "container" }).result).rejects.toThrow(/no container engine.*\n\s+tried: unix:\/\/.*no-engine\.sock/s);
  });

  it("a misspelt AGENT_RUNTIME is a configuration error saying the accepted values", async () => {
    const failure = plan({ ...NO_ENGINE, AGENT_RUNTIME: "containers" }).result;
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/AGENT_RUNTIME: must be container, process or auto \(got "containers"\)/);
  });

  it("uses the agent's state directory as the agent resolves it", () => {
    expect(agentStateDir({}, "/srv/wh")).toBe("/srv/wh/agent");
    expect(agentStateDir({ AGENT_STATE_DIR: "/var/lib/wh-agent" }, "/srv/wh")).toBe("/var/lib/wh-agent");
  });
});
