import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fleetReportSchema, type FleetConfig, type FleetReport } from "./load-fleet-protocol";

const EMPTY: FleetReport = { at: 0, connected: 0, frames: 0, lines: 0, skipped: 0, reconnects: 0, done: false };

/** The simulated workers' process (load-fleet-process.ts), seen from the benchmark: its latest counters and their history. */
export class LoadFleet {
  readonly history: FleetReport[] = [];
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = line;
      }
      const parsed = fleetReportSchema.safeParse(value);
      if (parsed.success) this.history.push(parsed.data);
      else process.stderr.write(`[fleet] ${line}\n`);
    });
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  static start(dir: string, config: FleetConfig): LoadFleet {
    const file = join(dir, "fleet.json");
    writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    const child = spawn(process.execPath, ["--import", "tsx", "bench/support/load-fleet-process.ts", file], { stdio: ["pipe", "pipe", "inherit"] });
    return new LoadFleet(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get latest(): FleetReport {
    return this.history[this.history.length - 1] ?? EMPTY;
  }

  /** Until at least `n` workers hold a socket (polled on the fleet's one-second reports). */
  async waitConnected(n: number, timeoutMs: number): Promise<number> {
    const start = performance.now();
    while (this.latest.connected < n) {
      if (this.child.exitCode !== null) throw new Error(`the fleet process exited (${this.child.exitCode})`);
      if (performance.now() - start > timeoutMs) throw new Error(`only ${this.latest.connected} of ${n} simulated workers connected within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return performance.now() - start;
  }

  /** Until fewer than `n` workers hold a socket (the hub's kill reached them). */
  async waitBelow(n: number, timeoutMs: number): Promise<void> {
    const start = performance.now();
    while (this.latest.connected >= n && performance.now() - start < timeoutMs) await new Promise((r) => setTimeout(r, 100));
  }

  /** SIGTERM, then the last counters it printed. */
  async stop(): Promise<FleetReport> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await this.exited;
    clearTimeout(timer);
    return this.latest;
  }
}
