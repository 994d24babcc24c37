import { readdirSync, readFileSync } from "node:fs";

/**
 * The pids of the processes a bench's platform started, found in /proc (Linux) by the DATA_DIR
 * in their environment (unique per run) and the entry file on their command line.
 */
export function platformPids(dataDir: string, entries: Record<string, string>): Record<string, number | undefined> {
  const found: Record<string, number | undefined> = {};
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, "utf8");
      if (!env.split("\0").includes(`DATA_DIR=${dataDir}`)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      for (const [name, file] of Object.entries(entries)) if (cmd.includes(file)) found[name] = Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}
