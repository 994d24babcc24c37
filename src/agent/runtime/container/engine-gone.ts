import type { Engine } from "./engine";
import { engineCall } from "./engine-request";

/**
 * The sentence a deploy fails with when the container engine stopped answering during its build,
 * or null while it answers. With `recheckMs` a ping that answers is tried once more after that
 * pause: a Podman service going down kills the running step first, so the build reads as an
 * ordinary failed step and the engine stops answering only just after.
 */
export async function engineGone(engine: Engine, options: { recheckMs?: number } = {}): Promise<string | null> {
  const attempts = options.recheckMs ? 2 : 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, options.recheckMs));
    try {
      await engineCall(engine.docker, { path: "/_ping", method: "GET", timeoutMs: 5_000 });
    } catch (err) {
      return (
        `the container engine (${engine.describe()}) stopped answering during the build (${(err as Error).message}); ` +
        "nothing was deployed and the running version is unchanged: deploy again once the engine is back"
      );
    }
  }
  return null;
}
