import { access } from "node:fs/promises";
import Docker from "dockerode";
import { z } from "zod";
import { engineCall } from "./engine-request";
import { describeAddress, engineSocketCandidates, type EngineAddress, type SocketSearch } from "./engine-socket";

/** GET /version: only the fields the agent relies on; Podman lists itself among the components. */
const versionSchema = z.object({
  Version: z.string(),
  ApiVersion: z.string(),
  Os: z.string().optional(),
  Arch: z.string().optional(),
  Components: z
    .array(z.object({ Name: z.string(), Version: z.string() }))
    .nullish()
    .transform((c) => c ?? []),
});

/** GET /info: how the engine places containers in cgroups (build-cancel.ts needs it). */
const infoSchema = z.object({
  CgroupDriver: z.string().optional(),
});

export type EngineName = "podman" | "docker";

/** A connected Docker Engine API (Docker Engine or Podman's compatible service). */
export interface Engine {
  readonly docker: Docker;
  readonly address: EngineAddress;
  /** Which engine answers; some request details differ (image build ulimits, for one). */
  readonly name: EngineName;
  /** The engine's own version (Podman's, not the API level it emulates). */
  readonly version: string;
  readonly apiVersion: string;
  /**
   * "cgroupfs" or "systemd" (empty when the engine does not say), read once from GET /info when
   * first needed: /info walks the image store, which a running build can hold up for a while.
   */
  cgroupDriver(): Promise<string>;
  /** One line for the agent's start-up log: "Podman 4.3.1 (API 1.41) at unix:///…". */
  describe(): string;
}

export class EngineUnavailableError extends Error {
  override name = "EngineUnavailableError";
}

function clientFor(address: EngineAddress): Docker {
  return address.kind === "unix"
    ? new Docker({ socketPath: address.socketPath })
    : new Docker({ host: address.host, port: address.port, protocol: "http" });
}

/** Pings the engine and reads its name and version; rejects with EngineUnavailableError when it does not answer. */
export async function connectEngine(address: EngineAddress, timeoutMs = 5_000): Promise<Engine> {
  const docker = clientFor(address);
  const where = describeAddress(address);
  let raw: unknown;
  try {
    await engineCall(docker, { path: "/_ping", method: "GET", timeoutMs });
    raw = await engineCall(docker, { path: "/version", method: "GET", timeoutMs });
  } catch (err) {
    throw new EngineUnavailableError(`no container engine answers at ${where}: ${(err as Error).message}`);
  }
  const parsed = versionSchema.safeParse(raw);
  if (!parsed.success) throw new EngineUnavailableError(`the engine at ${where} sent an unexpected /version answer`);
  const info = parsed.data;
  let driver: Promise<string> | null = null;
  const readDriver = async () => {
    try {
      const cgroups = infoSchema.safeParse(await engineCall(docker, { path: "/info", method: "GET", timeoutMs: 60_000 }));
      return (cgroups.success && cgroups.data.CgroupDriver) || "";
    } catch {
      return "";
    }
  };
  const podman = info.Components.find((c) => /podman/i.test(c.Name));
  const name: EngineName = podman ? "podman" : "docker";
  const version = podman?.Version ?? info.Version;
  return {
    docker,
    address,
    name,
    version,
    apiVersion: info.ApiVersion,
    cgroupDriver: () => (driver ??= readDriver()),
    describe: () => `${name === "podman" ? "Podman" : "Docker"} ${version} (API ${info.ApiVersion}) at ${where}`,
  };
}

async function socketExists(address: EngineAddress): Promise<boolean> {
  if (address.kind !== "unix") return true;
  try {
    await access(address.socketPath);
    return true;
  } catch {
    return false;
  }
}

export interface FindEngineResult {
  engine: Engine | null;
  /** Why each candidate was passed over, for the log when none answers. */
  tried: string[];
}

/** Tries DOCKER_HOST, then the usual socket paths (engine-socket.ts), and returns the first engine that answers. */
export async function findEngine(search: SocketSearch = {}, extra: EngineAddress[] = [], timeoutMs = 10_000): Promise<FindEngineResult> {
  const tried: string[] = [];
  for (const address of [...engineSocketCandidates(search), ...extra]) {
    if (!(await socketExists(address))) {
      tried.push(`${describeAddress(address)} (${address.source}): no socket`);
      continue;
    }
    try {
      return { engine: await connectEngine(address, timeoutMs), tried };
    } catch (err) {
      tried.push(`${describeAddress(address)} (${address.source}): ${(err as Error).message}`);
    }
  }
  return { engine: null, tried };
}
