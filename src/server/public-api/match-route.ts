import type { ApiRoute } from "./api-route";

/** The route for a method and a path under /api/v1, with its path parameters (decoded). */
export function matchRoute(routes: readonly ApiRoute[], method: string, path: string): { route: ApiRoute; params: Record<string, string> } | { allowed: string[] } | null {
  const segments = path.split("/").filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const m = /^\{(\w+)\}$/.exec(p);
      if (!m) return p === segments[i];
      try {
        params[m[1]!] = decodeURIComponent(segments[i]!);
      } catch {
        return false;
      }
      return true;
    });
    if (!ok) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : null;
}
