import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

/** Bytes used by a directory tree; symlinks are counted as links, never followed. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else {
        try {
          total += (await lstat(full)).size;
        } catch {
          // Vanished while walking.
        }
      }
    }
  }
  return total;
}
