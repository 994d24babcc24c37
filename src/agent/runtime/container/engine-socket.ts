import os from "node:os";
import path from "node:path";

/** Where a Docker Engine API answers: a unix socket, or an http address (DOCKER_HOST=tcp://…). */
export type EngineAddress =
  | { kind: "unix"; socketPath: string; source: string }
  | { kind: "tcp"; host: string; port: number; source: string };

export class EngineAddressError extends Error {
  override name = "EngineAddressError";
}

/** Parses DOCKER_HOST as the Docker CLI does: unix:///path, tcp://host:port, or a bare socket path. */
export function parseDockerHost(value: string, source = "DOCKER_HOST"): EngineAddress {
  const trimmed = value.trim();
  if (trimmed.startsWith("/")) return { kind: "unix", socketPath: trimmed, source };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new EngineAddressError(`${source}=${JSON.stringify(value)} is not unix:///path/to.sock or tcp://host:port`);
  }
  if (url.protocol === "unix:") {
    if (!url.pathname) throw new EngineAddressError(`${source}=${JSON.stringify(value)} names no socket path`);
    return { kind: "unix", socketPath: decodeURIComponent(url.pathname), source };
  }
  if (url.protocol === "tcp:" || url.protocol === "http:") {
    const port = url.port ? Number(url.port) : 2375;
    if (!url.hostname) throw new EngineAddressError(`${source}=${JSON.stringify(value)} names no host`);
    return { kind: "tcp", host: url.hostname.replace(/^\[|\]$/g, ""), port, source };
  }
  // TLS (tcp with DOCKER_TLS_VERIFY, https) and ssh:// need certificates or keys the agent does not manage.
  throw new EngineAddressError(`${source}=${JSON.stringify(value)}: only unix:// and plain tcp:// engine addresses are supported`);
}

export interface SocketSearch {
  env?: Record<string, string | undefined>;
  uid?: number;
  home?: string;
}

/**
 * The engine addresses to try, in order: DOCKER_HOST when set (and then nothing else, because an
 * operator who names an engine means that one), else the usual Podman sockets (rootful, then
 * rootless) and Docker sockets (system, then rootless and Docker Desktop).
 */
export function engineSocketCandidates(search: SocketSearch = {}): EngineAddress[] {
  const env = search.env ?? process.env;
  if (env.DOCKER_HOST?.trim()) return [parseDockerHost(env.DOCKER_HOST)];
  const uid = search.uid ?? (typeof process.getuid === "function" ? process.getuid() : 0);
  const home = search.home ?? os.homedir();
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim() || (uid !== 0 ? `/run/user/${uid}` : "");
  const paths: Array<[string, string]> = [];
  if (uid === 0) paths.push(["/run/podman/podman.sock", "Podman (root)"]);
  if (runtimeDir) paths.push([path.join(runtimeDir, "podman", "podman.sock"), "Podman (rootless)"]);
  paths.push(["/var/run/docker.sock", "Docker"], ["/run/docker.sock", "Docker"]);
  if (runtimeDir) paths.push([path.join(runtimeDir, "docker.sock"), "Docker (rootless)"]);
  paths.push([path.join(home, ".docker", "run", "docker.sock"), "Docker Desktop"]);
  const seen = new Set<string>();
  return paths
    .filter(([p]) => (seen.has(p) ? false : (seen.add(p), true)))
    .map(([socketPath, source]) => ({ kind: "unix" as const, socketPath, source }));
}

/** How an address reads in logs and errors. */
export function describeAddress(address: EngineAddress): string {
  return address.kind === "unix" ? `unix://${address.socketPath}` : `tcp://${address.host}:${address.port}`;
}
