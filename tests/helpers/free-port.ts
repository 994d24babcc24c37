import { randomInt } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort as anyFreePort, isPortFree } from "../../src/net/free-port";

/**
 * A loopback port for a server that is started later, or again on the same port (a hub or Redis
 * restarted mid-test, `npm start`, a server a spec opens minutes after the global setup chose it).
 * `src/net/free-port`'s port comes from the kernel's ephemeral range, which every listen(0) and
 * every outgoing connection of every process on the machine draws from, so between "free" and the
 * bind someone else may take it. These ports are picked below that range and reserved with a file
 * per port (under $TMPDIR/wh-test-ports, holding the pid) for as long as this process lives, so
 * parallel test files, and other runs on the machine, never get the same one.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const range = reservablePortRange();
  for (let attempt = 0; range && attempt < 200; attempt++) {
    const [low, high] = range;
    const port = randomInt(low, high);
    if (held.has(port) || !reserve(port)) continue;
    if (await isPortFree(port, host)) return port;
    release(port);
  }
  // Only on an unusual port layout, or with thousands of ports taken: an ephemeral one, unreserved.
  return anyFreePort(host);
}

const DIR = join(tmpdir(), "wh-test-ports");
const held = new Set<number>();
process.once("exit", () => {
  for (const port of held) rmSync(join(DIR, String(port)), { force: true });
});

/** [20000, start of the ephemeral range): nothing assigns these to anyone on its own. */
function reservablePortRange(): [number, number] | undefined {
  let ephemeralLow = 32_768;
  try {
    const first = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 0) ephemeralLow = first;
  } catch {
    /* not Linux: the usual default */
  }
  return ephemeralLow > 21_000 ? [20_000, ephemeralLow] : undefined;
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function create(file: string, port: number): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  writeSync(fd, String(process.pid));
  closeSync(fd);
  held.add(port);
  return true;
}

function reserve(port: number): boolean {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, String(port));
  if (create(file, port)) return true;
  // Held, or left by a process that died without cleaning up (a test worker is killed at the end).
  const owner = ownerOf(file);
  if (owner === undefined || alive(owner)) return false;
  // Take a dead owner's port under a per-port lock, so two processes never both take it.
  const lock = `${file}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    return false;
  }
  try {
    if (ownerOf(file) !== owner) return false;
    rmSync(file, { force: true });
    return create(file, port);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function release(port: number): void {
  held.delete(port);
  rmSync(join(DIR, String(port)), { force: true });
}
