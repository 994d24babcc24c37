import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * How long a SIGTERM'd child may take before the launcher kills it: above the child's own
   * bound on its stop (src/jobs-process/main.ts exits after 30 s, the agent after 20 s), so the
   * launcher's SIGKILL never cuts a stop the child would have finished.
   */
  stopTimeoutMs?: number;
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Starts the platform's processes, each in its own process group (so a terminal Ctrl-C reaches
 * only the launcher, which then stops them in order) and stops whole groups, so grandchildren
 * such as next-server never outlive the launcher.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(
    private readonly write: (name: string, line: string) => void,
    private readonly onUnexpectedExit: (name: string, code: number | null) => void,
  ) {}

  start(spec: ChildSpec): ChildProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (line) => this.write(spec.name, line));
    }
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code, signal) => {
        if (!this.stopping) this.onUnexpectedExit(spec.name, code ?? (signal ? 128 : null));
        resolve(code);
      });
      child.once("error", (err) => {
        this.write(spec.name, `failed to start: ${err.message}`);
        resolve(null);
      });
    });
    this.running.set(spec.name, { spec, child, exited });
    return child;
  }

  isRunning(name: string): boolean {
    const r = this.running.get(name);
    return !!r && r.child.exitCode === null && r.child.signalCode === null;
  }

  /** Stops the named processes, one group at a time in the given order: SIGTERM, then SIGKILL after the child's stopTimeoutMs (else `timeoutMs`). */
  async stopInOrder(groups: string[][], timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const group of groups) {
      await Promise.all(group.map((name) => this.stopOne(name, timeoutMs)));
    }
  }

  private async stopOne(name: string, timeoutMs: number): Promise<void> {
    const r = this.running.get(name);
    if (!r || !r.child.pid) return;
    const budgetMs = r.spec.stopTimeoutMs ?? timeoutMs;
    if (r.child.exitCode === null && r.child.signalCode === null) signalGroup(r.child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      this.write(name, `did not stop within ${budgetMs} ms; killing`);
      signalGroup(r.child.pid!, "SIGKILL");
    }, budgetMs);
    await r.exited;
    clearTimeout(timer);
    // Anything the child left in its group (e.g. next-server workers) goes too.
    signalGroup(r.child.pid, "SIGKILL");
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
