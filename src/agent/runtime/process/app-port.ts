import { freePort } from "../../../net/free-port";
import type { Release } from "./app-store";

/**
 * A loopback port free right now that no app of this runtime has been given: a stopped or
 * crashed app keeps its port in its record and takes it again on start, so the OS calling it
 * free is not enough.
 */
export async function pickAppPort(given: ReadonlySet<number>, pick: () => Promise<number> = freePort): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await pick();
    if (!given.has(port)) return port;
  }
  throw new Error("found no free loopback port that no other app on this worker was given");
}

/** The same release on another port: PORT is the only place a process release holds it. */
export function onPort(release: Release, port: number): Release {
  return { ...release, port, env: { ...release.env, PORT: String(port) } };
}
