import type { AppConfig } from "../config/config";
import { HOST_WITH_PORT } from "../config/env";

type HostConfig = Pick<AppConfig, "PUBLIC_URL" | "ALLOWED_HOSTS" | "WEB_PORT" | "isProduction">;

/** Names a developer's browser reaches a local dashboard by. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const DEFAULT_PORTS = ["80", "443"];

export interface HostPolicy {
  /** Every accepted `Host` value, lower case, as host or host:port. */
  hosts: ReadonlySet<string>;
  /** PUBLIC_URL's own host (host:port when it names a port), for messages. */
  publicHost: string;
  /** PUBLIC_URL's origin: the one origin accepted with its scheme pinned. */
  publicOrigin: string;
}

/** Lower case, one trailing dot dropped; null for anything that is not a host[:port]. */
export function normaliseHost(value: string | null | undefined): string | null {
  if (!value) return null;
  const host = value.trim().toLowerCase().replace(/\.(?=(:\d+)?$)/, "");
  return host.length <= 260 && HOST_WITH_PORT.test(host) ? host : null;
}

function withDefaultPorts(host: string): string[] {
  return /:\d+$/.test(host) ? [host] : [host, ...DEFAULT_PORTS.map((p) => `${host}:${p}`)];
}

const policies = new WeakMap<object, HostPolicy>();

/**
 * The hosts the dashboard answers to: PUBLIC_URL's host, each ALLOWED_HOSTS entry, and outside
 * production the loopback names on WEB_PORT (what `npm start` and the e2e run use). A page on
 * another name that resolves to this machine (DNS rebinding) carries its own name in `Host`, so
 * it is refused before anything runs.
 */
export function hostPolicy(config: HostConfig): HostPolicy {
  const cached = policies.get(config);
  if (cached) return cached;
  const publicUrl = new URL(config.PUBLIC_URL);
  const publicHost = publicUrl.host.toLowerCase();
  const hosts = new Set<string>(withDefaultPorts(publicHost));
  for (const entry of config.ALLOWED_HOSTS.split(",")) {
    const host = normaliseHost(entry);
    if (host) for (const h of withDefaultPorts(host)) hosts.add(h);
  }
  if (!config.isProduction) for (const name of LOOPBACK_NAMES) hosts.add(`${name}:${config.WEB_PORT}`);
  const policy = { hosts, publicHost, publicOrigin: publicUrl.origin };
  policies.set(config, policy);
  return policy;
}

/** Whether a request's `Host` header names this dashboard. */
export function isAllowedHost(config: HostConfig, hostHeader: string | null | undefined): boolean {
  const host = normaliseHost(hostHeader);
  return host !== null && hostPolicy(config).hosts.has(host);
}

/** What a refused request is told: which name was refused and which setting admits it. */
export function hostRefusalMessage(config: HostConfig, hostHeader: string | null | undefined): string {
  const shown = (hostHeader ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, 100) || "(none)";
  return (
    `This WiseHosting dashboard answers only at ${hostPolicy(config).publicHost} (PUBLIC_URL); ` +
    `this request was addressed to ${shown}. To serve it under another name, set PUBLIC_URL to that address ` +
    `or add the name to ALLOWED_HOSTS (see .env.example).\n`
  );
}
