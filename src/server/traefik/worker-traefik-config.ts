import { cipherContext, type SecretCipher } from "../crypto/secret-cipher";
import type { Db } from "../db/client";
import { buildHostRule, internalPortFrom, isRenderableHostname, safeRouterName } from "./rule-parts";
import type { TraefikDynamicConfig } from "./traefik-types";

/**
 * Per worker: for each of the worker's apps with at least one verified custom
 * domain, a router `Host(a) || Host(b)` and a service to the app's container on the worker's
 * network, `http://APP_NAME:INTERNAL_PORT`. Throws on any failure (the route answers 5xx).
 */
export async function buildWorkerTraefikConfig(db: Db, cipher: SecretCipher, workerId: number): Promise<TraefikDynamicConfig> {
  const apps = await db.app.findMany({
    where: { workerId, deletedAt: null, status: { not: "deleted" }, domains: { some: { status: "verified" } } },
    select: {
      id: true,
      name: true,
      internalPort: true,
      domains: { where: { status: "verified" }, select: { hostname: true }, orderBy: { hostname: "asc" } },
      envVars: { where: { key: "PORT" }, select: { value: true } },
    },
    orderBy: { id: "asc" },
  });
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  for (const app of apps) {
    const hosts = app.domains.map((d) => d.hostname.toLowerCase()).filter(isRenderableHostname);
    if (hosts.length === 0 || !isRenderableHostname(`${app.name}.x`)) continue;
    const portEnv = app.envVars[0] ? cipher.decrypt(app.envVars[0].value, cipherContext.envVar(app.id, "PORT")) : undefined;
    const name = safeRouterName(`app-${app.id}-${app.name}`);
    config.http.routers[name] = { rule: buildHostRule(hosts), service: name };
    config.http.services[name] = {
      loadBalancer: { servers: [{ url: `http://${app.name}:${internalPortFrom(portEnv, app.internalPort)}` }] },
    };
  }
  return config;
}
