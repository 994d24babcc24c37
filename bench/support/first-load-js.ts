import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { z } from "zod";
import { ensureWebBuild } from "../../src/launcher/web-build";

/** What `next build` (Turbopack) writes per route into <distDir>/diagnostics/route-bundle-stats.json. */
const routeBundleStats = z.array(z.object({ route: z.string(), firstLoadChunkPaths: z.array(z.string()) }));

export interface RouteFirstLoad {
  route: string;
  /** gzip -9 of each chunk the route's first load fetches, summed. */
  gzipBytes: number;
  rawBytes: number;
}

export interface FirstLoadReport {
  build: "fresh" | "built";
  routes: RouteFirstLoad[];
  /** The chunks every route loads (Next's root main files): the framework's share, the floor. */
  shared: { gzipBytes: number; rawBytes: number };
}

/**
 * The first-load JS of every dashboard route, compressed, from a production build in `distDir`
 * (built, or reused when it holds the current sources: src/launcher/web-build.ts). Next 16 no
 * longer prints sizes after a build; its route stats name each route's chunks, and this gzips them.
 */
export async function measureFirstLoadJs(root: string, distDir: string): Promise<FirstLoadReport> {
  const build = await ensureWebBuild({ root, distDir, env: process.env, write: (l) => process.stderr.write(`${l}\n`) });
  const stats = routeBundleStats.parse(JSON.parse(readFileSync(join(root, distDir, "diagnostics", "route-bundle-stats.json"), "utf8")));
  const sizes = new Map<string, { gzip: number; raw: number }>();
  const size = (path: string) => {
    let s = sizes.get(path);
    if (!s) {
      const bytes = readFileSync(join(root, path));
      s = { gzip: gzipSync(bytes, { level: 9 }).length, raw: bytes.length };
      sizes.set(path, s);
    }
    return s;
  };
  const sum = (paths: string[]) => paths.reduce((acc, p) => ({ gzipBytes: acc.gzipBytes + size(p).gzip, rawBytes: acc.rawBytes + size(p).raw }), { gzipBytes: 0, rawBytes: 0 });
  const routes = stats.map((r) => ({ route: r.route, ...sum(r.firstLoadChunkPaths) })).sort((a, b) => b.gzipBytes - a.gzipBytes);
  // A chunk every route loads is the shared part (React, Next's runtime, the root layout).
  const everyRoute = stats.length ? stats.map((r) => new Set(r.firstLoadChunkPaths)).reduce((a, b) => new Set([...a].filter((p) => b.has(p)))) : new Set<string>();
  return { build, routes, shared: sum([...everyRoute]) };
}
