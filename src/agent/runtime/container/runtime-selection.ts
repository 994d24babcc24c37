import type { AgentLogger } from "../../logger";
import type { AppRuntime, AppSample, AppState, JobOutcome, JobReporter, RuntimeKind } from "../app-runtime";
import type { JobFrame } from "../../../protocol/job-payload";
import { ensureBaseImage, LOCAL_BASE_IMAGE } from "./base-image";
import { EngineUnavailableError } from "./engine";
import { openEngine, type EngineSession } from "./open-engine";

export type RuntimeChoice = "container" | "process" | "auto";

export interface RuntimeSelectionOptions {
  choice: RuntimeChoice;
  stateDir: string;
  log: AgentLogger;
  /** Builds the container runtime once the engine is open and the base image is there. */
  container: (session: EngineSession, baseImage: string) => AppRuntime;
  process: () => AppRuntime;
  env?: Record<string, string | undefined>;
}

/**
 * The agent's runtime, chosen in `init` (the engine has to be asked, which takes a moment, and
 * the agent's composition root, src/agent/agent.ts, builds its parts synchronously): `container`
 * needs an engine (init fails, naming what was tried, without one); `auto` uses containers when
 * an engine answers or Podman is installed, else processes, and says once what to install. Every
 * other call goes to the runtime chosen.
 */
export class RuntimeSelection implements AppRuntime {
  private chosen: AppRuntime | null = null;
  private session: EngineSession | null = null;

  constructor(private readonly options: RuntimeSelectionOptions) {}

  get kind(): RuntimeKind {
    return this.chosen?.kind ?? (this.options.choice === "container" ? "container" : "process");
  }

  private get runtime(): AppRuntime {
    if (!this.chosen) throw new Error("the runtime is used before init()");
    return this.chosen;
  }

  async init(): Promise<void> {
    const { log } = this.options;
    if (this.options.choice === "process") {
      log.info("runtime: process (chosen by --runtime / AGENT_RUNTIME)");
      this.chosen = this.options.process();
    } else {
      try {
        this.session = await openEngine({ stateDir: this.options.stateDir, env: this.options.env, onInfo: (m) => log.info(m) });
      } catch (err) {
        if (!(err instanceof EngineUnavailableError) || this.options.choice === "container") throw err;
        log.warn(
          { why: err.message },
          "runtime: process, because no container engine is available; install Podman (apt-get install podman runc iptables) to run apps in containers",
        );
        this.chosen = this.options.process();
      }
      if (this.session) {
        log.info({ engine: this.session.engine.describe() }, "runtime: container");
        const base = await ensureBaseImage({ engine: this.session.engine, image: LOCAL_BASE_IMAGE, onLine: (line) => log.info({ baseImage: LOCAL_BASE_IMAGE }, line) });
        if (base.built) log.info({ timings: base.timings }, `built the base image ${base.image}`);
        this.chosen = this.options.container(this.session, base.image);
      }
    }
    await this.runtime.init();
  }

  execute(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    return this.runtime.execute(job, reporter);
  }

  appStates(): AppState[] {
    return this.chosen?.appStates() ?? [];
  }

  sampleUsage(): AppSample[] {
    return this.chosen?.sampleUsage() ?? [];
  }

  diskUsedMb(): number {
    return this.chosen?.diskUsedMb() ?? 0;
  }

  checkDisk(): Promise<void> {
    return this.chosen?.checkDisk() ?? Promise.resolve();
  }

  /** Containers outlive the Podman service the agent started (conmon watches them), so it stops too. */
  async shutdown(stopApps: boolean): Promise<void> {
    try {
      await this.chosen?.shutdown(stopApps);
    } finally {
      await this.session?.close();
      this.session = null;
    }
  }
}
