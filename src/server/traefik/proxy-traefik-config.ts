import ipaddr from "ipaddr.js";
import type { Db } from "../db/client";
import { buildHostRule, isRenderableHostname, safeRouterName } from "./rule-parts";
import type { TraefikDynamicConfig } from "./traefik-types";

export interface ProxyConfigOptions {
  platformDomain: string;
  certResolver: string;
}

function upstreamHost(ip: string): string | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  const addr = ipaddr.parse(ip);
  return addr.kind() === "ipv6" ? `[${addr.toString()}]` : addr.toString();
}

/**
 * Every running app on a worker with a WireGuard IP gets a router
 * `Host(slug.base) || Host(custom…)` on entryPoints web+websecure with the configured cert
 * resolver, and a service straight to `http://WG_IP:PORT`. Throws on any failure.
 */
export async function buildProxyTraefikConfig(db: Db, options: ProxyConfigOptions): Promise<TraefikDynamicConfig> {
  const apps = await db.app.findMany({
    where: { status: "running", deletedAt: null, port: { not: null }, worker: { wireguardIp: { not: null } } },
    select: {
      id: true,
      name: true,
      subdomain: true,
      port: true,
      worker: { select: { wireguardIp: true } },
      domains: { where: { status: "verified" }, select: { hostname: true }, orderBy: { hostname: "asc" } },
    },
    orderBy: { id: "asc" },
  });
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  for (const app of apps) {
    const upstream = upstreamHost(app.worker?.wireguardIp ?? "");
    if (!upstream || !app.port || app.port < 1 || app.port > 65535) continue;
    const hosts = [`${app.subdomain}.${options.platformDomain}`, ...app.domains.map((d) => d.hostname.toLowerCase())].filter(isRenderableHostname);
    if (hosts.length === 0) continue;
    const name = safeRouterName(`app-${app.id}-${app.subdomain}`);
    config.http.routers[name] = {
      rule: buildHostRule([...new Set(hosts)]),
      service: name,
      entryPoints: ["web", "websecure"],
      tls: { certResolver: options.certResolver },
    };
    config.http.services[name] = { loadBalancer: { servers: [{ url: `http://${upstream}:${app.port}` }] } };
  }
  return config;
}
