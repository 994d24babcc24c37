import { z } from "zod";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";
import { readJsonLines } from "./json-lines";
import { parseLogTime } from "./log-cursor";

const cpuSchema = z.object({
  cpu_usage: z.object({ total_usage: z.number() }),
  system_cpu_usage: z.number().optional(),
  online_cpus: z.number().optional(),
});
const blkioEntry = z.object({ op: z.string(), value: z.number() });

/** One GET /containers/{id}/stats message: the fields both Docker and Podman fill. */
const statsSchema = z.object({
  read: z.string(),
  preread: z.string().optional(),
  cpu_stats: cpuSchema,
  precpu_stats: cpuSchema.partial({ cpu_usage: true }).optional(),
  memory_stats: z
    .object({
      usage: z.number().optional(),
      limit: z.number().optional(),
      stats: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
  networks: z.record(z.string(), z.object({ rx_bytes: z.number(), tx_bytes: z.number() })).nullish(),
  blkio_stats: z.object({ io_service_bytes_recursive: z.array(blkioEntry).nullish() }).optional(),
  pids_stats: z.object({ current: z.number().optional() }).optional(),
});
type RawStats = z.infer<typeof statsSchema>;
/** The CPU time counter at an earlier reading. */
type Previous = { total: number; read: Stamp };

export interface ContainerStatsSample {
  /** When the engine read the figures (ms since the epoch). */
  at: number;
  /** Percent of one core since the previous sample (200 = two cores busy); 0 on the first. */
  cpuPct: number;
  /** Memory in use, without reclaimable page cache (as `docker stats` shows it). */
  memBytes: number;
  memLimitBytes: number;
  /** Totals since the container started. */
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

/** An engine timestamp as seconds and nanoseconds (one number of nanoseconds would overflow 2^53). */
type Stamp = { seconds: number; nanos: number };
function stampOf(time: string | undefined): Stamp | null {
  if (!time || time.startsWith("0001-")) return null;
  return parseLogTime(time);
}
function nanosBetween(from: Stamp, to: Stamp): number {
  return (to.seconds - from.seconds) * 1e9 + (to.nanos - from.nanos);
}

/**
 * CPU percent of one core between two readings: CPU time used over wall time passed. Wall time
 * from the engine's own `read` stamps, since Podman and Docker fill `system_cpu_usage` differently.
 */
function cpuPercent(current: RawStats, previous: Previous | null): number {
  const now = stampOf(current.read);
  if (!previous || !now) return 0;
  const wall = nanosBetween(previous.read, now);
  const used = current.cpu_stats.cpu_usage.total_usage - previous.total;
  return wall > 0 && used > 0 ? Math.round((used / wall) * 1000) / 10 : 0;
}

/**
 * Podman before 4.4.0 reports a container's sent bytes as received and the other way round
 * (fixed upstream in 4.4.0; Debian 12 ships 4.3.1), so its figures are turned back here.
 */
export function swapsNetworkDirections(engine: Pick<Engine, "name" | "version">): boolean {
  if (engine.name !== "podman") return false;
  const [major = 0, minor = 0] = engine.version.split(".").map((p) => Number.parseInt(p, 10));
  return major < 4 || (major === 4 && minor < 4);
}

function sample(raw: RawStats, previous: Previous | null, swapNetwork: boolean): ContainerStatsSample {
  const memStats = raw.memory_stats?.stats ?? {};
  // cgroup v1 names it total_inactive_file, v2 inactive_file; Podman sends neither.
  const reclaimable = memStats.total_inactive_file ?? memStats.inactive_file ?? 0;
  const usage = raw.memory_stats?.usage ?? 0;
  const nets = Object.values(raw.networks ?? {});
  const blk = raw.blkio_stats?.io_service_bytes_recursive ?? [];
  const blkSum = (op: string) => blk.filter((e) => e.op.toLowerCase() === op).reduce((s, e) => s + e.value, 0);
  const rx = nets.reduce((sum, n) => sum + n.rx_bytes, 0);
  const tx = nets.reduce((sum, n) => sum + n.tx_bytes, 0);
  return {
    at: (() => {
      const t = stampOf(raw.read);
      return t ? t.seconds * 1000 + Math.floor(t.nanos / 1e6) : Date.now();
    })(),
    cpuPct: cpuPercent(raw, previous),
    memBytes: Math.max(0, usage - reclaimable),
    memLimitBytes: raw.memory_stats?.limit ?? 0,
    netRxBytes: swapNetwork ? tx : rx,
    netTxBytes: swapNetwork ? rx : tx,
    blockReadBytes: blkSum("read"),
    blockWriteBytes: blkSum("write"),
    pids: raw.pids_stats?.current ?? 0,
  };
}

/** The engine's own previous reading inside a message (precpu_stats), when it sent one. */
function embeddedPrevious(raw: RawStats): Previous | null {
  const total = raw.precpu_stats?.cpu_usage?.total_usage;
  const read = stampOf(raw.preread);
  return total && read ? { total, read } : null;
}

/** One reading now (CPU percent over the engine's own sampling interval, or 0). Null when the container is not running. */
export async function readContainerStats(engine: Engine, id: string): Promise<ContainerStatsSample | null> {
  try {
    const raw = await engineCall(engine.docker, {
      path: `/containers/${encodeURIComponent(id)}/stats?`,
      method: "GET",
      options: { stream: false },
      statusCodes: { 200: true, 404: "no such container", 409: "container is not running" },
      timeoutMs: 15_000,
    });
    const parsed = statsSchema.safeParse(raw);
    return parsed.success ? sample(parsed.data, embeddedPrevious(parsed.data), swapsNetworkDirections(engine)) : null;
  } catch {
    return null;
  }
}

export interface StatsWatcher {
  /** The newest sample, or null before the first arrives. */
  readonly latest: ContainerStatsSample | null;
  stop(): void;
}

/**
 * Follows the engine's stats stream of one container (Docker sends a message a second, Podman
 * every 5 s) and turns each message into a sample, CPU percent from consecutive messages.
 */
export async function watchContainerStats(
  engine: Engine,
  id: string,
  onSample: (s: ContainerStatsSample) => void,
  onEnd?: (error: Error | null) => void,
): Promise<StatsWatcher> {
  const controller = new AbortController();
  const stream = (await engineCall(engine.docker, {
    path: `/containers/${encodeURIComponent(id)}/stats?`,
    method: "GET",
    options: { stream: true },
    isStream: true,
    abortSignal: controller.signal,
    statusCodes: { 200: true, 404: "no such container" },
  })) as NodeJS.ReadableStream;
  let latest: ContainerStatsSample | null = null;
  let previous: Previous | null = null;
  const swap = swapsNetworkDirections(engine);
  readJsonLines(stream, statsSchema, (stats) => {
    latest = sample(stats, previous ?? embeddedPrevious(stats), swap);
    const read = stampOf(stats.read);
    if (read) previous = { total: stats.cpu_stats.cpu_usage.total_usage, read };
    onSample(latest);
  });
  let ended = false;
  const end = (error: Error | null) => {
    if (ended) return;
    ended = true;
    onEnd?.(error);
  };
  stream.once("end", () => end(null));
  stream.once("close", () => end(null));
  stream.once("error", (err: Error) => end(controller.signal.aborted ? null : err));
  return {
    get latest() {
      return latest;
    },
    stop: () => {
      controller.abort();
      end(null);
    },
  };
}
