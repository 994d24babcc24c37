import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError, EXIT } from "./errors";

/** What `wh login` keeps: the platform's address, the token, and who it belonged to when checked. */
export const storedConfigSchema = z.object({
  url: z.url(),
  token: z.string().min(1),
  user: z.string().optional(),
  team: z.string().optional(),
});
export type StoredConfig = z.infer<typeof storedConfigSchema>;

/** $WH_CONFIG, else $XDG_CONFIG_HOME/wisehosting/config.json, else ~/.config/wisehosting/config.json. */
/** The environment as the CLI reads it (a plain record, so tests and CI can pass their own). */
export type CliEnv = Readonly<Record<string, string | undefined>>;

export function configPath(env: CliEnv = process.env): string {
  if (env.WH_CONFIG) return env.WH_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "wisehosting", "config.json");
}

export class ConfigStore {
  constructor(readonly path: string = configPath()) {}

  /** The stored login, or null when there is none. A file others can read is reported, not used silently. */
  read(warn: (line: string) => void = () => undefined): StoredConfig | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new CliError(`Cannot read ${this.path}: ${(err as Error).message}.`, EXIT.failed, "CONFIG");
    }
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) warn(`Warning: ${this.path} holds a token and is readable by others (mode ${mode.toString(8)}): run chmod 600 ${this.path}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = storedConfigSchema.safeParse(parsed);
    if (!result.success) {
      throw new CliError(`${this.path} is not a valid wh config file: run wh logout, then wh login again.`, EXIT.failed, "CONFIG");
    }
    return result.data;
  }

  /**
   * Writes the file with mode 0600 in a 0700 folder. The data goes to a temporary file created
   * 0600 and is renamed over the old one, so the token is never readable by others, not even
   * for a moment, and a crash leaves either the old or the new file.
   */
  write(config: StoredConfig): void {
    const data = storedConfigSchema.parse(config);
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.config.${process.pid}.${Date.now()}.tmp`);
    try {
      writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.path);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** True when there was a file to remove. */
  remove(): boolean {
    try {
      rmSync(this.path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw err;
    }
  }
}
