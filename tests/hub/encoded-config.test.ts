import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeConfig, stringifyInSlices } from "../../src/server/traefik/encoded-config";
import type { TraefikDynamicConfig } from "../../src/server/traefik/traefik-types";

/** A proxy config as the hub builds it, with names and rules that need JSON escaping too. */
function configOf(apps: number): TraefikDynamicConfig {
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  for (let i = 1; i <= apps; i++) {
    const name = i % 7 === 0 ? `app-${i}-"quoted"\\é` : `app-${i}-shop-${i}`;
    config.http.routers[name] = { rule: `Host(\`shop-${i}.apps.example.com\`) || Host(\`www.shop-${i}.test\`)`, service: name, entryPoints: ["web", "websecure"], tls: { certResolver: "le" } };
    config.http.services[name] = { loadBalancer: { servers: [{ url: `http://10.8.0.${i % 250}:${20_000 + i}` }] } };
  }
  return config;
}

describe("Traefik answers encoded in slices (src/server/traefik/encoded-config.ts)", () => {
  it("writes exactly what JSON.stringify writes, for an empty, a small and a many-slice config", async () => {
    for (const apps of [0, 1, 999, 1_000, 2_501]) {
      const config = configOf(apps);
      expect(await stringifyInSlices(config), `${apps} apps`).toBe(JSON.stringify(config));
    }
  });

  it("lets other work run while a large config is encoded, and its gzip and ETag match the body", async () => {
    const config = configOf(5_000);
    let ranDuring = false;
    const json = stringifyInSlices(config);
    // Queued after the encoding started: runs before it ends only if the encoding yields to the
    // event loop (without a yield it ends in microtasks, before any setImmediate).
    setImmediate(() => (ranDuring = true));
    expect(await json).toBe(JSON.stringify(config));
    expect(ranDuring).toBe(true);

    const encoded = await encodeConfig(config);
    expect(encoded.body.toString("utf8")).toBe(JSON.stringify(config));
    expect(gunzipSync(encoded.gzip).equals(encoded.body)).toBe(true);
    expect(encoded.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect((await encodeConfig(configOf(5_000))).etag).toBe(encoded.etag);
  });
});
