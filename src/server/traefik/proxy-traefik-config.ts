import ipaddr from "ipaddr.js";
import type { Db } from "../db/client";
import { buildHostRule, isRenderableHostname, safeRouterName } from "./rule-parts";
import type { TraefikDynamicConfig } from "./traefik-types";

export interface ProxyConfigOptions {
  platformDomain: string;
  certResolver: string;
  /** The upstream of each app in the previous build (`ProxyRoutes.upstreams`); see below. */
  previous?: ReadonlyMap<number, string>;
}

export interface ProxyRoutes {
  config: TraefikDynamicConfig;
  /** App id → the upstream URL it was routed to, for the next build's `previous`. */
  upstreams: Map<number, string>;
}

/**
 * An app being redeployed, rolled back, or whose new version failed its health check keeps
 * serving its previous version on the same port until the worker's result switches it (the agent
 * says "the previous version keeps serving"), so it keeps the route it had in the previous build.
 * Only that route, unchanged: a deploying app that was not routed a moment ago (stopped, crashed,
 * never ran) has no version serving, and its recorded port may belong to another app by now.
 */
const STILL_SERVING = ["deploying", "failed"] as const;

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
  return (await buildProxyRoutes(db, options)).config;
}

/** The proxy config and each routed app's upstream (see STILL_SERVING). */
export async function buildProxyRoutes(db: Db, options: ProxyConfigOptions): Promise<ProxyRoutes> {
  const apps = await db.app.findMany({
    where: { status: { in: ["running", ...STILL_SERVING] }, deletedAt: null, port: { not: null }, worker: { wireguardIp: { not: null } } },
    select: {
      id: true,
      name: true,
      subdomain: true,
      status: true,
      port: true,
      worker: { select: { wireguardIp: true } },
      domains: { where: { status: "verified" }, select: { hostname: true }, orderBy: { hostname: "asc" } },
    },
    orderBy: { id: "asc" },
  });
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  const upstreams = new Map<number, string>();
  for (const app of apps) {
    const upstream = upstreamHost(app.worker?.wireguardIp ?? "");
    if (!upstream || !app.port || app.port < 1 || app.port > 65535) continue;
    const url = `http://${upstream}:${app.port}`;
    if (app.status !== "running" && options.previous?.get(app.id) !== url) continue;
    const hosts = [`${app.subdomain}.${options.platformDomain}`, ...app.domains.map((d) => d.hostname.toLowerCase())].filter(isRenderableHostname);
    if (hosts.length === 0) continue;
    const name = safeRouterName(`app-${app.id}-${app.subdomain}`);
    config.http.routers[name] = {
      rule: buildHostRule([...new Set(hosts)]),
      service: name,
      entryPoints: ["web", "websecure"],
      tls: { certResolver: options.certResolver },
    };
    config.http.services[name] = { loadBalancer: { servers: [{ url }] } };
    upstreams.set(app.id, url);
  }
  return { config, upstreams };
}
