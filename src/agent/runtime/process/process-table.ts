import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** One process as /proc/<pid>/stat describes it (proc(5)). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** utime + stime + cutime + cstime, in clock ticks: children reaped by a member stay counted. */
  cpuTicks: number;
  /** Clock ticks after boot: with the pid, identifies a process across pid reuse. */
  startTime: number;
  rssBytes: number;
}

function sysconf(name: string, fallback: number): number {
  const out = spawnSync("getconf", [name], { encoding: "utf8" });
  const value = Number(out.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const CLOCK_TICKS = sysconf("CLK_TCK", 100);
export const PAGE_SIZE = sysconf("PAGESIZE", 4096);

/** Parses one stat line; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcInfo | null {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return null;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state) of proc(5), so field n is f[n - 3].
  const num = (n: number) => Number(f[n - 3] ?? 0);
  return {
    pid,
    ppid: num(4),
    pgrp: num(5),
    state: f[0] ?? "?",
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    startTime: num(22),
    rssBytes: num(24) * PAGE_SIZE,
  };
}

export function readProc(pid: number): ProcInfo | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** Every process visible in /proc right now. */
export function readProcessTable(): ProcInfo[] {
  const table: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) table.push(info);
  }
  return table;
}

/** Bytes read from and written to storage by one process, if the kernel lets us see them. */
export function readIoBytes(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/io`, "utf8");
    const read = /^read_bytes:\s*(\d+)/m.exec(text);
    const write = /^write_bytes:\s*(\d+)/m.exec(text);
    return Number(read?.[1] ?? 0) + Number(write?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** True while `pid` is the very process started at `startTime` and has not exited. */
export function isSameProcessAlive(pid: number, startTime: number): boolean {
  const info = readProc(pid);
  return info !== null && info.startTime === startTime && info.state !== "Z" && info.state !== "X";
}

/**
 * The processes of one app: its process group plus every descendant of its root (a child that
 * moved to a group of its own is still the app's).
 */
export function appMembers(table: ProcInfo[], rootPid: number, pgid: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const members = new Map<number, ProcInfo>();
  for (const p of table) if (p.pgrp === pgid && p.state !== "Z") members.set(p.pid, p);
  const seen = new Set<number>();
  const stack = table.filter((p) => p.pid === rootPid);
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    if (p.state !== "Z") members.set(p.pid, p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return [...members.values()];
}
