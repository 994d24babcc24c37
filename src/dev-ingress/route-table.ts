import { z } from "zod";

/**
 * The part of the hub's Traefik proxy-config (src/server/traefik/proxy-traefik-config.ts) the
 * development ingress reads: every router's Host rule and its service's first server.
 */
const proxyConfigSchema = z.object({
  http: z.object({
    routers: z.record(z.string(), z.object({ rule: z.string(), service: z.string() })).default({}),
    services: z
      .record(z.string(), z.object({ loadBalancer: z.object({ servers: z.array(z.object({ url: z.url() })).min(1) }) }))
      .default({}),
  }),
});

/** Host (lower case, no port) → the app's upstream base URL. */
export type RouteTable = ReadonlyMap<string, string>;

const HOST_TERM = /^Host\(`([a-z0-9.-]+)`\)$/;

/**
 * The hosts of a rule the hub renders (``Host(`a`) || Host(`b`)``, src/server/traefik/rule-parts.ts).
 * Anything else is not a rule this ingress understands, and the router is skipped, never guessed.
 */
export function hostsOfRule(rule: string): string[] | null {
  const hosts: string[] = [];
  for (const term of rule.split("||").map((t) => t.trim())) {
    const m = HOST_TERM.exec(term);
    if (!m) return null;
    hosts.push(m[1]!);
  }
  return hosts.length > 0 ? hosts : null;
}

/**
 * Builds the table from a proxy-config body; throws when the body is not one (the caller keeps
 * its last good table, as Traefik does). Each `<slug>.<PLATFORM_DOMAIN>` host is also reachable
 * as `<slug>.localhost`, which every browser resolves to this machine whatever the domain is.
 */
export function routeTableFrom(body: unknown, platformDomain: string): Map<string, string> {
  const config = proxyConfigSchema.parse(body);
  const table = new Map<string, string>();
  const suffix = `.${platformDomain.toLowerCase()}`;
  for (const router of Object.values(config.http.routers)) {
    const upstream = config.http.services[router.service]?.loadBalancer.servers[0]?.url;
    const hosts = hostsOfRule(router.rule);
    if (!upstream || !hosts) continue;
    for (const host of hosts) {
      table.set(host, upstream);
      if (host.endsWith(suffix)) {
        const slug = host.slice(0, -suffix.length);
        if (slug && !slug.includes(".")) table.set(`${slug}.localhost`, upstream);
      }
    }
  }
  return table;
}

/** The Host header's name, lower case, without the port; null when there is none. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const host = header.trim().toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return name.replace(/\.$/, "") || null;
}
