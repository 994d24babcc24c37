import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** TCP state 0A in /proc/net/tcp{,6}: LISTEN. */
const LISTEN = "0A";

/** Socket inode → local port of every listening TCP socket in the network namespace of `pid`. */
export function listeningInodes(pid: number): Map<number, number> {
  const byInode = new Map<number, number>();
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
      const port = Number.parseInt(f[1]!.split(":")[1] ?? "", 16);
      const inode = Number(f[9]);
      if (Number.isInteger(port) && inode > 0) byInode.set(inode, port);
    }
  }
  return byInode;
}

/** Socket inodes a process holds open, from the `socket:[inode]` links in /proc/<pid>/fd. */
function socketInodes(pid: number): number[] {
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
