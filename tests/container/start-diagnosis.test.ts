import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeContainer, runAppContainer } from "../../src/agent/runtime/container/app-container";
import { containerListeningPorts, containerWrongPort } from "../../src/agent/runtime/container/container-start-diagnosis";
import { baseSpec, eventually, httpGet, openContainerFixture, type ContainerFixture } from "./support/container-fixture";

/**
 * A container that listens on a fixed port instead of $PORT is told so from its own network
 * namespace's listening sockets (container-start-diagnosis.ts), like the process runtime's apps.
 */
let fixture: ContainerFixture;
beforeAll(async () => {
  fixture = await openContainerFixture("diag");
}, 600_000);
afterAll(async () => {
  await fixture?.cleanup();
}, 120_000);

const server = (port: string) => ["node", "-e", `require("node:http").createServer((q, s) => s.end("up")).listen(${port}, () => console.log("listening"))`];

describe("start diagnosis of a container", () => {
  it("names the port an app listens on instead of $PORT", async () => {
    const spec = await baseSpec(fixture, { command: server("3000") });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      const ports = await eventually(async () => {
        const p = await containerListeningPorts(fixture.engine, id);
        return p.length ? p : null;
      }, 30_000, "the container to listen");
      expect(ports).toEqual([3000]);
      expect(await containerWrongPort(fixture.engine, id, spec.internalPort)).toBe(
        `your app listens on 3000, not on $PORT (${spec.internalPort}): the worker sends its traffic to the port in the PORT environment variable. Listen on that port, e.g. app.listen(process.env.PORT || 3000) or \`next start -p $PORT\``,
      );
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 120_000);

  it("says nothing for an app that listens on $PORT", async () => {
    const spec = await baseSpec(fixture, { command: server("Number(process.env.PORT)") });
    const { id } = await runAppContainer(fixture.engine, spec);
    try {
      await eventually(() => httpGet(spec.hostPort), 30_000, "the app to answer");
      expect(await containerWrongPort(fixture.engine, id, spec.internalPort)).toBeNull();
    } finally {
      await removeContainer(fixture.engine, id, { force: true });
    }
  }, 120_000);
});
