import { execFile } from "node:child_process";
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { findOnPath } from "../../../src/agent/runtime/container/find-on-path";

const run = promisify(execFile);

/** The image's roles that keep running (deploy/image/entrypoint.sh); migrate is a one-shot. */
export type ServingRole = "web" | "jobs" | "hub";

/** The image's user (Containerfile `USER`): secret files must be readable by it, and only by it. */
const IMAGE_UID = 10001;

/**
 * The platform image's roles run as deploy/compose.yaml runs them — read-only root, /tmp a tmpfs,
 * DATA_DIR a named volume, every capability dropped, no-new-privileges, the secrets as files under
 * /run/secrets named by CREDENTIALS_DIRECTORY (made as docs/production.md says) — but on the host's network, so they reach the
 * test Postgres on loopback and the test reaches them. The flags this machine needs (runc, explicit
 * ulimits) are the ones src/agent/runtime/container/podman-service.ts gives every container.
 */
export class PlatformContainers {
  readonly volume: string;
  private readonly started: string[] = [];
  private readonly secretNames: string[] = [];

  constructor(
    readonly image: string,
    /** Unique per test run: containers and the volume are named after it. */
    readonly prefix: string,
    /** Where the secret files are written (a folder the test removes). */
    readonly secretsDir: string,
  ) {
    this.volume = `${prefix}-data`;
  }

  /**
   * Writes the secrets as docs/production.md ("Secrets") has the operator make them: a folder only
   * root enters, one file each, 0600, owned by the image's user — compose's file `secrets:` are bind
   * mounts that keep the host's owner and mode, so a root-owned 0600 file is unreadable to it.
   */
  writeSecrets(secrets: Record<string, string>): void {
    mkdirSync(this.secretsDir, { recursive: true, mode: 0o700 });
    for (const [name, value] of Object.entries(secrets)) {
      const file = join(this.secretsDir, name);
      writeFileSync(file, `${value}\n`, { mode: 0o600 });
      chownSync(file, IMAGE_UID, IMAGE_UID);
      this.secretNames.push(name);
    }
  }

  name(role: string): string {
    return `${this.prefix}-${role}`;
  }

  private async baseArgs(env: Record<string, string>): Promise<string[]> {
    const runtime = (await findOnPath("runc")) ? ["--runtime", "runc"] : [];
    return [
      ...runtime,
      "--ulimit", "nofile=4096:4096",
      "--ulimit", "nproc=4096:4096",
      "--network", "host",
      "--read-only",
      "--tmpfs", "/tmp",
      "--cap-drop", "ALL",
      "--security-opt", "no-new-privileges",
      "-v", `${this.volume}:/var/lib/wisehosting`,
      // One mount per file under /run/secrets, as compose mounts `secrets:`.
      ...this.secretNames.flatMap((name) => ["-v", `${join(this.secretsDir, name)}:/run/secrets/${name}:ro`]),
      "-e", "CREDENTIALS_DIRECTORY=/run/secrets",
      ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    ];
  }

  /** Runs a one-shot role to its end; resolves with its exit status and output. */
  async runOnce(role: "migrate", env: Record<string, string>, timeoutMs: number): Promise<{ status: number; output: string }> {
    const name = this.name(role);
    this.started.push(name);
    try {
      const { stdout, stderr } = await run("podman", ["run", "--name", name, ...(await this.baseArgs(env)), this.image, role], { timeout: timeoutMs, maxBuffer: 16 << 20 });
      return { status: 0, output: `${stdout}\n${stderr}` };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
      return { status: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}\n${e.stderr ?? e.message}` };
    }
  }

  /**
   * Starts a serving role in the background. The image's HEALTHCHECK stays defined but Podman's
   * timer for it is off: Podman schedules health checks with systemd timers, and no systemd runs
   * here, so the test runs the check itself (healthy()).
   */
  async start(role: ServingRole, env: Record<string, string>): Promise<void> {
    const name = this.name(role);
    this.started.push(name);
    await run("podman", ["run", "-d", "--name", name, "--health-interval", "disable", ...(await this.baseArgs(env)), this.image, role]);
  }

  /** Runs the image's own health check in the role's container (`podman healthcheck run`): true when it passes. */
  async healthy(role: ServingRole): Promise<boolean> {
    try {
      await run("podman", ["healthcheck", "run", this.name(role)], { timeout: 30_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** What Podman records for the container: its state and the last health status. */
  async inspect(role: ServingRole): Promise<{ running: boolean; exitCode: number; health: string }> {
    const { stdout } = await run("podman", ["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}} {{.State.Health.Status}}", this.name(role)]);
    const [running, exitCode, health] = stdout.trim().split(" ");
    return { running: running === "true", exitCode: Number(exitCode), health: health ?? "" };
  }

  async logs(role: string): Promise<string> {
    try {
      const { stdout, stderr } = await run("podman", ["logs", "--tail", "60", this.name(role)], { maxBuffer: 16 << 20 });
      return `${stdout}${stderr}`;
    } catch (err) {
      return `(no logs: ${(err as Error).message})`;
    }
  }

  /** Every role's recent output, for a failure message. */
  async allLogs(): Promise<string> {
    const parts = await Promise.all(this.started.map(async (name) => `--- ${name}\n${await this.logs(name.slice(this.prefix.length + 1))}`));
    return parts.join("\n");
  }

  /** SIGTERM and up to 30 s for the ordered shutdown; resolves with the exit code the role ended with. */
  async stop(role: ServingRole): Promise<number> {
    await run("podman", ["stop", "-t", "30", this.name(role)], { timeout: 60_000 });
    return (await this.inspect(role)).exitCode;
  }

  /** Removes every container this run started and the data volume, whatever state they are in. */
  async removeAll(): Promise<void> {
    for (const name of this.started.reverse()) await run("podman", ["rm", "--force", "--time", "5", name]).catch(() => undefined);
    this.started.length = 0;
    await run("podman", ["volume", "rm", "--force", this.volume]).catch(() => undefined);
  }
}
