import { createHash } from "node:crypto";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { TraefikDynamicConfig } from "./traefik-types";

const gzipAsync = promisify(gzip);

/** A Traefik answer encoded once per build: the JSON bytes, their gzip, and an ETag over the JSON. */
export interface EncodedConfig {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** Routers or services encoded between two yields to the event loop. */
const SLICE = 1_000;

/**
 * `JSON.stringify(config)`, byte for byte, in slices: one call on a 10,000-app config held the
 * hub's event loop ~35 ms (docs/performance.md note 3); per entry, with a yield every SLICE
 * entries, no request or frame waits behind it.
 */
export async function stringifyInSlices(config: TraefikDynamicConfig): Promise<string> {
  let done = 0;
  const section = async (entries: Record<string, unknown>): Promise<string> => {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(entries)) {
      parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
      if (++done % SLICE === 0) await yieldToLoop();
    }
    return `{${parts.join(",")}}`;
  };
  const routers = await section(config.http.routers);
  const services = await section(config.http.services);
  return `{"http":{"routers":${routers},"services":${services}}}`;
}

/**
 * Encodes a config for every poll until the next build. Traefik's HTTP client asks for gzip, and a
 * 10,000-app config shrinks ~15× (docs/performance.md); compressing once per build instead of per
 * poll keeps the hub's CPU flat under 100 polls/s. gzip runs on libuv's pool, off the event loop.
 */
export async function encodeConfig(config: TraefikDynamicConfig): Promise<EncodedConfig> {
  const body = Buffer.from(await stringifyInSlices(config), "utf8");
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  return { body, gzip: await gzipAsync(body, { level: 6 }), etag };
}
