import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";

/** The first executable called `name` on PATH (plus the sbin folders root's tools live in), or null. */
export async function findOnPath(name: string, env: Record<string, string | undefined> = process.env): Promise<string | null> {
  const dirs = [...(env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}
