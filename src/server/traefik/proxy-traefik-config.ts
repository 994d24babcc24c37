import ipaddr from "ipaddr.js";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Db } from "../db/client";
import { buildHostRule, isRenderableHostname, isRenderableLabel, safeRouterName } from "./rule-parts";
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
const ROUTED_STATUSES = ["running", ...STILL_SERVING];

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

/** One routable app as the build reads it: a flat row, its verified domains aggregated. */
interface RouteRow {
  id: number;
  subdomain: string;
  status: string;
  port: number;
  wireguardIp: string;
  domains: string[];
}

/**
 * Apps handled between two yields to the event loop. A build for 10,000 apps took ~185 ms of CPU
 * in one piece (Prisma's objects for the relation query 51 ms, the loop's host checks and
 * address parsing 55 ms, docs/performance.md note 3), which every request and frame on the hub
 * waited behind; in slices nothing waits more than a few milliseconds.
 */
const SLICE = 1_000;

/** The proxy config and each routed app's upstream (see STILL_SERVING). */
export async function buildProxyRoutes(db: Db, options: ProxyConfigOptions): Promise<ProxyRoutes> {
  // One statement with flat rows: the relation query
  // of the same data cost three round trips and an object per app, worker and domain.
  const apps = await db.$queryRaw<RouteRow[]>`
    SELECT a.id, a.subdomain, a.status::text AS status, a.port, w.wireguard_ip AS "wireguardIp",
           COALESCE(array_agg(d.hostname ORDER BY d.hostname) FILTER (WHERE d.hostname IS NOT NULL), '{}') AS domains
    FROM apps a
    JOIN workers w ON w.id = a.worker_id AND w.wireguard_ip IS NOT NULL
    LEFT JOIN domains d ON d.app_id = a.id AND d.status = 'verified'
    WHERE a.status = ANY(${ROUTED_STATUSES}::"AppStatus"[]) AND a.deleted_at IS NULL AND a.port IS NOT NULL
    GROUP BY a.id, w.wireguard_ip
    ORDER BY a.id`;
  const config: TraefikDynamicConfig = { http: { routers: {}, services: {} } };
  const upstreams = new Map<number, string>();
  // A worker's address is parsed once per build, not once per app on it.
  const hostOf = new Map<string, string | undefined>();
  // Every app's own host ends in the platform domain: checked once, then only the app's label.
  const platformRenders = isRenderableHostname(`x.${options.platformDomain}`);
  for (const [i, app] of apps.entries()) {
    if (i > 0 && i % SLICE === 0) await yieldToLoop();
    if (!hostOf.has(app.wireguardIp)) hostOf.set(app.wireguardIp, upstreamHost(app.wireguardIp));
    const upstream = hostOf.get(app.wireguardIp);
    if (!upstream || !app.port || app.port < 1 || app.port > 65535) continue;
    const url = `http://${upstream}:${app.port}`;
    if (app.status !== "running" && options.previous?.get(app.id) !== url) continue;
    const own = `${app.subdomain}.${options.platformDomain}`;
    const ownRenders = platformRenders && own.length <= 253 && app.subdomain.split(".").every(isRenderableLabel);
    const hosts = [...(ownRenders ? [own] : []), ...app.domains.map((d) => d.toLowerCase()).filter(isRenderableHostname)];
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
