import { readFileSync } from "node:fs";
import type { EngineName } from "./engine";

/** One resource limit as the Engine API's HostConfig.Ulimits spells it. */
export interface Ulimit {
  Name: "nofile" | "nproc";
  Soft: number;
  Hard: number;
}

const WANTED_NOFILE = 4096;
/**
 * RLIMIT_NPROC counts every process of a uid on the whole host, not per container, and apps
 * share the fixed unprivileged uid (container-spec.ts). A small value would let one app's
 * processes stop another app from forking, so it stays high; the per-container pids limit
 * (HostConfig.PidsLimit) is what bounds each app. On the CI machines runc refused any value above
 * 32768, their kernel.pid_max ("error setting rlimit type 6"), so pid_max caps it as well.
 */
const WANTED_NPROC = 32_768;

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

/** The hard limit of one row of /proc/self/limits ("Max open files"), or null when unknown/unlimited. */
function hardLimit(limitsText: string, row: string): number | null {
  const line = limitsText.split("\n").find((l) => l.startsWith(row));
  const hard = line?.slice(row.length).trim().split(/\s+/)[1];
  return hard && /^\d+$/.test(hard) ? Number(hard) : null;
}

/**
 * Explicit ulimits for every container and build. Engines default to raising open files to about
 * a million, which a host (or sandbox) without CAP_SYS_RESOURCE refuses with "setrlimit
 * RLIMIT_NOFILE: Operation not permitted"; asking for no more than this process's own hard
 * limits works wherever the engine runs with limits no lower than the agent's.
 */
export function containerUlimits(limitsText = readOr("/proc/self/limits", ""), pidMaxText = readOr("/proc/sys/kernel/pid_max", "")): Ulimit[] {
  const cap = (wanted: number, row: string) => Math.min(wanted, hardLimit(limitsText, row) ?? wanted);
  const nofile = cap(WANTED_NOFILE, "Max open files");
  const pidMax = /^\d+$/.test(pidMaxText.trim()) ? Number(pidMaxText.trim()) : WANTED_NPROC;
  const nproc = Math.min(cap(WANTED_NPROC, "Max processes"), pidMax);
  return [
    { Name: "nofile", Soft: nofile, Hard: nofile },
    { Name: "nproc", Soft: nproc, Hard: nproc },
  ];
}

/**
 * The `ulimits` query parameter of POST /build. Docker reads a JSON array of {Name, Soft, Hard};
 * Podman's compatible service reads a JSON array of "name=soft:hard" strings and refuses objects.
 */
export function buildUlimitsParam(engine: EngineName, ulimits: Ulimit[]): string {
  return engine === "podman"
    ? JSON.stringify(ulimits.map((u) => `${u.Name}=${u.Soft}:${u.Hard}`))
    : JSON.stringify(ulimits);
}

/** Lines of a containers.conf that make the same limits the default of a Podman service we start. */
export function containersConfUlimits(ulimits: Ulimit[]): string {
  return `default_ulimits = [${ulimits.map((u) => JSON.stringify(`${u.Name}=${u.Soft}:${u.Hard}`)).join(", ")}]`;
}
