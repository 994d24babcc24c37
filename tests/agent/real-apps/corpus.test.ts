import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { CORPUS_DOWNLOAD_CACHE } from "../support/app-corpus";
import { corpusSuite } from "../support/corpus-suite";
import { tempStateDir } from "../support/runtime-harness";

/**
 * The corpus of real app shapes (tests/agent/support/corpus-suite.ts) on the PROCESS runtime:
 * the agent's npm and corepack caches persist across runs beside the fixture cache, so a rerun
 * downloads nothing. The same cases run on containers in corpus-container.test.ts.
 */
corpusSuite("process", async () => {
  const state = tempStateDir();
  const stateDir = path.join(state.dir, "agent");
  mkdirSync(path.join(stateDir, "build-cache"), { recursive: true, mode: 0o700 });
  for (const [link, target] of [["npm-cache", "npm"], ["build-cache/corepack", "corepack"]] as const) {
    mkdirSync(path.join(CORPUS_DOWNLOAD_CACHE, target), { recursive: true });
    symlinkSync(path.join(CORPUS_DOWNLOAD_CACHE, target), path.join(stateDir, link));
  }
  return { name: `corpus-${process.pid}`, stateDir, env: { AGENT_START_TIMEOUT_SECONDS: "60" }, cleanup: async () => state.cleanup() };
});
