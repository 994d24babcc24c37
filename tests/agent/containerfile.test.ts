import { describe, expect, it } from "vitest";
import type { AppPlan } from "../../src/agent/runtime/process/detect-app";
import { APP_UID, generateContainerfile } from "../../src/agent/runtime/container/containerfile";
import { appLabels, LABELS } from "../../src/agent/runtime/container/labels";

const labels = appLabels({ appId: 7, deploymentId: 42, workerName: "worker-1" }, { [LABELS.kind]: "node" });

function plan(overrides: Partial<AppPlan> = {}): AppPlan {
  return {
    kind: "node",
    root: "/src",
    install: null,
    build: null,
    start: null,
    npmStart: { script: "node server.js", hooks: false, name: "app", version: "1.0.0" },
    notes: [],
    ...overrides,
  };
}

/** The file's instructions (each a build step), comments and blank lines left out. */
const instructions = (file: string) => file.split("\n").filter((l) => l && !l.startsWith("#"));
const after = (steps: string[], prefix: string) => steps.slice(steps.findIndex((l) => l.startsWith(prefix)) + 1);

describe("generated Containerfile (src/agent/runtime/container/containerfile.ts)", () => {
  it("puts what no build step reads before the sources, and only the user, one ENV and one LABEL after them", () => {
    const steps = instructions(generateContainerfile(plan(), { baseImage: "node:24-slim", internalPort: 8080, labels }));
    const copy = steps.indexOf("COPY . /app");
    expect(steps.slice(0, copy).map((l) => l.split(" ")[0])).toEqual(["FROM", "ENV", "EXPOSE", "CMD", "WORKDIR"]);
    expect(steps[copy - 3]).toBe("EXPOSE 8080");
    expect(steps[copy - 2]).toContain('"wisehosting-start","node","server.js"]');
    const rest = after(steps, "COPY . /app");
    expect(rest.map((l) => l.split(" ")[0])).toEqual(["USER", "ENV", "LABEL"]);
    expect(rest[0]).toBe(`USER ${APP_UID}:${APP_UID}`);
    expect(rest[1]).toMatch(/^ENV PORT=8080 PATH=\/app\/node_modules\/\.bin:.* npm_lifecycle_event="start"/);
    expect(rest[2]).toBe(
      'LABEL "wisehosting.managed"="true" "wisehosting.role"="app" "wisehosting.app-id"="7" "wisehosting.deployment-id"="42" "wisehosting.worker"="worker-1" "wisehosting.kind"="node"',
    );
  });

  it("runs install and build as root after the sources, then switches to the app's user", () => {
    const steps = instructions(generateContainerfile(plan({ install: ["npm", "ci"], build: ["npm", "run", "build"] }), { baseImage: "b", internalPort: 3000, labels }));
    const rest = after(steps, "COPY . /app");
    expect(rest.map((l) => l.split(" ")[0])).toEqual(["RUN", "RUN", "USER", "ENV", "LABEL"]);
    expect(rest[0]).toContain('"npm","ci"]');
    expect(rest[1]).toContain('"npm","run","build"]');
  });

  it("serves a static site on the container's interfaces, set with the port in one ENV", () => {
    const file = generateContainerfile(plan({ kind: "static", npmStart: undefined }), { baseImage: "b", internalPort: 8080 });
    const steps = instructions(file);
    expect(steps).toContain("ENV PORT=8080 HOST=0.0.0.0");
    expect(steps.at(-1)).toBe("ENV PORT=8080 HOST=0.0.0.0");
    expect(steps.some((l) => l.startsWith("LABEL"))).toBe(false);
  });

  it("refuses a label a LABEL line would have to escape", () => {
    expect(() => generateContainerfile(plan(), { baseImage: "b", internalPort: 8080, labels: { "wisehosting.worker": 'a" b' } })).toThrow(/would need to escape/);
    expect(() => generateContainerfile(plan(), { baseImage: "b", internalPort: 8080, labels: { "wisehosting.worker": "$HOME" } })).toThrow(/would need to escape/);
  });
});
