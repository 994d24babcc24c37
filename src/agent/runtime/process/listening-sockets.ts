import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** TCP state 0A in /proc/net/tcp{,6}: LISTEN. */
const LISTEN = "0A";

interface ListeningSocket {
  inode: number;
  port: number;
  /** The local address as /proc/net/tcp{,6} prints it (hex, in the kernel's byte order). */
  address: string;
}

/** Every listening TCP socket in the network namespace of `pid`. */
function listeningSockets(pid: number | "self"): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const file of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const [address = "", hexPort = ""] = f[1]!.split(":");
      const port = Number.parseInt(hexPort, 16);
      const inode = Number(f[9]);
      if (Number.isInteger(port) && inode > 0) sockets.push({ inode, port, address: address.toUpperCase() });
    }
  }
  return sockets;
}

/** Socket inode → local port of every listening TCP socket in the network namespace of `pid`. */
export function listeningInodes(pid: number): Map<number, number> {
  return new Map(listeningSockets(pid).map((s) => [s.inode, s.port]));
}

/**
 * Local addresses a connection to 127.0.0.1 reaches: 127.0.0.1 itself, 0.0.0.0, and on IPv6
 * sockets :: (dual-stack) and ::ffff:127.0.0.1, as /proc/net/tcp{,6} prints them on this
 * little-endian machine.
 */
const REACHED_FROM_LOOPBACK = new Set(["0100007F", "00000000", "00000000000000000000000000000000", "0000000000000000FFFF00000100007F"]);

/** Inodes of the listening sockets that a connection to 127.0.0.1:`port` may reach. */
export function loopbackListeners(port: number, pid: number | "self" = "self"): number[] {
  return listeningSockets(pid)
    .filter((s) => s.port === port && REACHED_FROM_LOOPBACK.has(s.address))
    .map((s) => s.inode);
}

/** Socket inodes a process holds open, from the `socket:[inode]` links in /proc/<pid>/fd. */
export function socketInodes(pid: number): number[] {
  const inodes: number[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.push(Number(m[1]));
    } catch {
      // Closed while reading.
    }
  }
  return inodes;
}

/** The TCP ports the given processes listen on, sorted. */
export function listeningPorts(pids: number[]): number[] {
  if (pids.length === 0) return [];
  const listening = listeningInodes(pids[0]!);
  const ports = new Set<number>();
  for (const pid of pids) {
    for (const inode of socketInodes(pid)) {
      const port = listening.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
