/**
 * The agent's per-container work in a process of its own, for bench/deploy.bench.ts to measure:
 * a ContainerRuntime on the given engine and state directory adopts the containers labelled with
 * the worker name (as src/agent/agent.ts does after a restart), follows their logs, stats and
 * engine events, and samples usage every 10 s as src/agent/reporting/usage-reporter.ts does.
 * Prints "ready <n>" once it looks after n apps; SIGTERM leaves the containers running.
 *
 * `node --import tsx bench/support/runtime-host.ts <docker-host> <state-dir> <worker-name> <base-image>`
 */
import pino from "pino";
import { parseDockerHost } from "../../src/agent/runtime/container/engine-socket";
import { connectEngine } from "../../src/agent/runtime/container/engine";
import { ContainerRuntime } from "../../src/agent/runtime/container/container-runtime";

const [dockerHost, stateDir, workerName, baseImage] = process.argv.slice(2);
if (!dockerHost || !stateDir || !workerName || !baseImage) {
  console.error("usage: runtime-host.ts <docker-host> <state-dir> <worker-name> <base-image>");
  process.exit(2);
}
const engine = await connectEngine(parseDockerHost(dockerHost), 30_000);
const runtime = new ContainerRuntime({
  engine,
  workerName,
  stateDir,
  baseImage,
  allowLocalRepos: true,
  startTimeoutMs: 60_000,
  crashBackoff: { initialMs: 1_000, maxMs: 30_000 },
  events: { appStatus: () => {}, violation: () => {}, log: () => {} },
  log: pino({ level: "silent" }),
});
await runtime.init();
const sampler = setInterval(() => runtime.sampleUsage(), 10_000);
console.log(`ready ${runtime.appStates().filter((a) => a.status === "running").length}`);
process.once("SIGTERM", () => {
  clearInterval(sampler);
  void runtime.shutdown(false).finally(() => process.exit(0));
});
