import { mkdirSync } from "node:fs";
import path from "node:path";
import { openContainerFixture } from "../../container/support/container-fixture";
import { corpusSuite } from "../support/corpus-suite";

/**
 * The corpus of real app shapes (tests/agent/support/corpus-suite.ts, the same cases as
 * corpus.test.ts) on the CONTAINER runtime: each fixture is built into an image by a generated
 * Containerfile on Podman within the free plan's build limits, started in a container with the
 * plan's runtime limits, and must pass its health check and answer. Heavy (image builds on 2
 * shared cores): run it alone under the machine's lock
 * (`flock /tmp/wh-heavy.lock npx vitest run tests/agent/real-apps/corpus-container.test.ts`).
 */
corpusSuite("container", async () => {
  const fixture = await openContainerFixture("corpus");
  const address = fixture.engine.address;
  if (address.kind !== "unix") {
    await fixture.cleanup();
    throw new Error(`the corpus test expects a unix engine socket, not ${fixture.engine.describe()}`);
  }
  const stateDir = path.join(fixture.stateDir, "agent");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  return {
    // The fixture's worker name labels the images and containers, so cleanup removes exactly these.
    name: fixture.workerName,
    stateDir,
    env: { AGENT_RUNTIME: "container", DOCKER_HOST: `unix://${address.socketPath}`, AGENT_START_TIMEOUT_SECONDS: "90" },
    cleanup: () => fixture.cleanup(),
  };
});
