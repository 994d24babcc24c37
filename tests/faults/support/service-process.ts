import { spawn, type ChildProcess } from "node:child_process";
import type { ChildSpec } from "../../../src/launcher/supervisor";

/** One of the launcher's child specs (src/launcher/platform.ts, childSpecs) and how to tell it serves. */
export interface ServiceSpec extends ChildSpec {
  /** Answers true once the process serves (polled after each start). */
  ready: () => Promise<boolean>;
}

/** systemd's RestartSec for the units in deploy/systemd: how long a dead process stays dead. */
const RESTART_DELAY_MS = 1_000;

/**
 * One of the platform's processes (web, ws-hub, jobs, agent) run the way its service manager runs
 * it in production (systemd, Restart=always): started in its own process group, and started again
 * a second after it exits for any reason — a kill -9 from the suite, or a crash of its own, which
 * `exits` counts so the suite can report it.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private out = "";
  private startedAt = 0;
  private stopping = false;
  /** Exits the suite did not cause (kill9 and stop are not counted). */
  unexpectedExits = 0;
  private expectingExit = false;

  constructor(readonly spec: ServiceSpec) {}

  output(): string {
    return this.out;
  }

  /** What the current run printed. */
  outputSinceStart(): string {
    return this.out.slice(this.startedAt);
  }

  /** Starts the process and waits until it is ready. */
  async start(timeoutMs = 180_000): Promise<void> {
    this.spawn();
    await this.waitReady(timeoutMs);
  }

  private spawn(): void {
    const child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.out = `${this.out.slice(-20_000)}\n--- started\n`;
    this.startedAt = this.out.length;
    const keep = (d: Buffer) => (this.out += d.toString());
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        if (!this.expectingExit) {
          this.unexpectedExits += 1;
          this.out += `\n--- exited on its own (${code ?? signal})\n`;
        }
        this.expectingExit = false;
        resolve();
        if (!this.stopping) setTimeout(() => !this.stopping && this.spawn(), RESTART_DELAY_MS);
      }),
    );
  }

  /** Until the current (or restarted) process answers its readiness check. */
  async waitReady(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.spec.ready().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`${this.spec.name} was not ready within ${timeoutMs} ms:\n${this.out.slice(-4_000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** kill -9 of the whole process group (next-server's workers too), as a crash or the OOM killer would; the restart follows. */
  async kill9(): Promise<void> {
    this.expectingExit = true;
    this.signal("SIGKILL");
    await this.exited;
  }

  /** SIGTERM and wait, no restart: the orderly stop at the end of the suite. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.expectingExit = true;
    const timer = setTimeout(() => this.signal("SIGKILL"), 30_000);
    this.signal("SIGTERM");
    await this.exited;
    clearTimeout(timer);
    this.signal("SIGKILL");
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }
}
