import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ensurePrivateDir, writePrivateFile } from "./private-file";

const credentialsSchema = z.object({
  name: z.string(),
  apiKey: z.string().min(32),
  workerId: z.union([z.number(), z.string()]).optional(),
});
export type StoredCredentials = z.infer<typeof credentialsSchema>;

/** The agent's long-lived API key, kept between runs so a restart reuses its registration. */
export class CredentialsStore {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, "credentials.json");
  }

  async load(): Promise<StoredCredentials | null> {
    let text: string;
    try {
      const info = await stat(this.file);
      if ((info.mode & 0o077) !== 0) {
        throw new Error(`${this.file} is readable by other users; run: chmod 600 ${this.file}`);
      }
      text = await readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    const parsed = credentialsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.file} is not a credentials file this agent wrote; move it away to register afresh`);
    return parsed.data;
  }

  async save(credentials: StoredCredentials): Promise<void> {
    await ensurePrivateDir(path.dirname(this.file));
    await writePrivateFile(this.file, `${JSON.stringify(credentials, null, 2)}\n`);
  }
}
