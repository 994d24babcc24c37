/**
 * `node --import tsx scripts/build-base-image.ts [--image NAME] [--state-dir DIR]`: makes the
 * local Node base image that generated Containerfiles build on where no registry is reachable
 * (src/agent/runtime/container/base-image.ts). Cached: does nothing when the image exists.
 * Uses the engine the agent would use, starting a Podman service of its own when none answers.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBaseImage, LOCAL_BASE_IMAGE, type BaseImageResult } from "../src/agent/runtime/container/base-image";
import { openEngine } from "../src/agent/runtime/container/open-engine";

export interface BuildBaseImageOptions {
  image?: string;
  /** State directory for a Podman service started for this run (default: $DATA_DIR/agent, else .data/agent). */
  stateDir?: string;
  onLine?: (line: string) => void;
}

/** Opens the engine, ensures the base image, and closes what it opened. */
export async function buildBaseImage(options: BuildBaseImageOptions = {}): Promise<BaseImageResult> {
  const stateDir = options.stateDir ?? path.join(process.env.DATA_DIR || ".data", "agent");
  // A running agent's Podman service is borrowed, not stopped afterwards.
  const session = await openEngine({ stateDir, onInfo: options.onLine, leaveAdoptedRunning: true });
  try {
    return await ensureBaseImage({ engine: session.engine, image: options.image, onLine: options.onLine });
  } finally {
    await session.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { image: { type: "string" }, "state-dir": { type: "string" }, quiet: { type: "boolean" } },
  });
  const started = Date.now();
  try {
    const result = await buildBaseImage({
      image: values.image ?? process.env.AGENT_BASE_IMAGE ?? LOCAL_BASE_IMAGE,
      stateDir: values["state-dir"],
      onLine: values.quiet ? undefined : (line) => console.log(line),
    });
    const steps = Object.entries(result.timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
    console.log(
      result.built
        ? `built ${result.image} in ${((Date.now() - started) / 1000).toFixed(1)} s (${steps.join(", ")})`
        : `${result.image} already exists`,
    );
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
