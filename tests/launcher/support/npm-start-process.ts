import { spawn, type ChildProcess } from "node:child_process";

/**
 * `npm start` as a person runs it in a terminal: its own process group, so a Ctrl-C (SIGINT to
 * the whole foreground group) reaches npm and the launcher as it would from a terminal.
 */
export class NpmStart {
  private text = "";
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv, root = process.cwd()) {
    this.child = spawn("npm", ["start"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (c: Buffer) => (this.text += c.toString()));
    this.child.stderr!.on("data", (c: Buffer) => (this.text += c.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  output(): string {
    return this.text;
  }

  /** Polls the output (the pipe can still hold lines after `exit`), never a fixed sleep. */
  async waitFor(text: string | RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const found = () => (typeof text === "string" ? this.text.includes(text) : text.test(this.text));
    while (!found()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; npm start printed:\n${this.text.slice(-4_000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ctrl-C in the terminal: SIGINT to npm's whole process group. */
  ctrlC(): void {
    process.kill(-this.child.pid!, "SIGINT");
  }

  groupAlive(): boolean {
    return processGroupAlive(this.child.pid!);
  }

  /** For a test that failed half-way: a Ctrl-C (so Postgres stops cleanly), then SIGKILL to what is left. */
  async stopAfterFailure(timeoutMs = 60_000): Promise<void> {
    if (!this.groupAlive()) return;
    this.ctrlC();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.killGroup();
  }

  /** Nothing of this npm start may outlive the test. */
  killGroup(): void {
    if (this.child.pid && this.groupAlive()) process.kill(-this.child.pid, "SIGKILL");
  }
}

/** Whether any process of the group `pgid` is alive (signal 0 to the group). */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
