import { rm } from "node:fs/promises";
import type { AgentLogger } from "../../logger";
import { Backoff } from "../../timing/backoff";
import { isPortFree } from "../../../net/free-port";
import { AppInstance } from "./app-instance";
import { onPort } from "./app-port";
import { killRecordedBuild, recordBuildProcess } from "./build-process-marker";
import type { ExitInfo } from "./app-process";
import type { AppRecord, AppStore, Release } from "./app-store";
import type { KeyedMutex } from "../keyed-mutex";
import { waitUntilAnswering } from "../readiness";
import { instancePortHolder } from "./port-holder";
import { portTakenMessage, startFailureMessage, waitForStart } from "./start-diagnosis";
import type { AppState, AppStatus, RuntimeEvents } from "../app-runtime";

export interface SupervisorDeps {
  store: AppStore;
  events: RuntimeEvents;
  mutex: KeyedMutex;
  log: AgentLogger;
  startTimeoutMs: number;
  crashBackoff: { initialMs: number; maxMs: number };
  /** An app up this long before it crashes starts its backoff afresh. */
  stableMs?: number;
  /** A port for a release whose own was taken while the app was down (process-runtime.ts). */
  pickPort?: () => Promise<number>;
}

export type LaunchOutcome = { ok: true; instance: AppInstance } | { ok: false; error: string; tail: string };

/**
 * Keeps one app in its desired state: swaps releases, restarts crashes with exponential backoff
 * (a crash loop costs a few processes a minute, not a busy loop), and stops it on request.
 * Callers hold the app's mutex around every public method.
 */
export class AppSupervisor {
  private current: AppInstance | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private live: AppStatus;
  private lastReason: string | undefined;
  /** Set when the agent shuts down: exits seen afterwards are the next agent's business. */
  private retired = false;

  constructor(
    public record: AppRecord,
    private readonly deps: SupervisorDeps,
  ) {
    this.backoff = new Backoff({ initialMs: deps.crashBackoff.initialMs, maxMs: deps.crashBackoff.maxMs, jitter: 0.2 });
    this.live = "stopped";
    this.lastReason = record.stopReason;
  }

  get appId(): number {
    return this.record.appId;
  }

  get state(): Omit<AppState, "appId"> {
    return {
      status: this.live,
      ...(this.lastReason ? { reason: this.lastReason } : {}),
      ...(this.record.violation ? { violation: this.record.violation } : {}),
    };
  }

  /** The process tree to measure, when one runs. */
  get usageTarget(): { appId: number; pid: number; pgid: number } | null {
    const proc = this.current?.proc;
    return proc && !proc.hasExited ? { appId: this.appId, pid: proc.pid, pgid: proc.pid } : null;
  }

  /** After an agent restart: re-attach to the app's process, or start it again if it died meanwhile. */
  async recover(): Promise<void> {
    const { record } = this;
    if (record.desired !== "running" || !record.release) return;
    const adopted = record.process ? await AppInstance.adopt(this.appId, record.release, record.process, this.deps.events) : null;
    if (adopted) {
      this.deps.log.info({ appId: this.appId, pid: adopted.proc.pid }, "adopted a running app");
      this.current = adopted;
      this.watch(adopted);
      this.live = "running";
      this.lastReason = undefined;
      return;
    }
    // A start the previous run was waiting on (a restart cut short by the agent's death) may still
    // hold the app's port: end it, or every launch below would fail to listen.
    const orphans = await killRecordedBuild(record.release.dir);
    if (orphans > 0) this.deps.log.warn({ appId: this.appId, processes: orphans }, "ended an app process the previous agent run started but never took over");
    this.deps.log.warn({ appId: this.appId }, "app was not running after the agent restart; starting it");
    await this.relaunch("the app was not running when the agent started");
  }

  /** Starts a release beside the current one and waits until it answers (zero-downtime deploys). */
  async launchCandidate(release: Release): Promise<LaunchOutcome> {
    let instance: AppInstance;
    try {
      instance = await AppInstance.launch(this.appId, release, this.deps.events);
    } catch (err) {
      return { ok: false, error: (err as Error).message, tail: "" };
    }
    // Noted in its release directory until promote() records it: an agent killed meanwhile
    // leaves a process nothing else names, which the next run ends (recover(), AppStore.removeOrphans).
    await recordBuildProcess(release.dir, instance.proc.pid);
    const check = this.healthCheckOf(release);
    const outcome = await waitForStart(instance, release.port, check.timeoutMs, check.path);
    if (outcome.kind === "ready") return { ok: true, instance };
    // Read what it said before stopping it: the message names the port it listens on, or its first error.
    const error = await startFailureMessage(instance, outcome, release.port, check.timeoutMs, check.path);
    await instance.stop(2_000);
    const tail = await instance.logTail();
    return { ok: false, error, tail };
  }

  /**
   * Makes a ready candidate the app's process; the old one is stopped and its release removed.
   * Inside a job the job_result announces the new state (with the new port); an app_status sent
   * ahead of it would mark the app running at its old port for a moment.
   */
  async promote(instance: AppInstance, limits: AppRecord["limits"], announce = false): Promise<void> {
    this.cancelRestart();
    const old = this.current;
    this.current = instance;
    this.watch(instance);
    if (old && old !== instance) {
      await old.stop();
      if (old.release.dir !== instance.release.dir) await rm(old.release.dir, { recursive: true, force: true });
    }
    const previousRelease = this.record.release;
    this.record = { ...this.record, desired: "running", limits: limits ?? this.record.limits, release: instance.release, process: instance.proc.identity, stopReason: undefined, violation: undefined };
    await this.deps.store.save(this.record);
    if (previousRelease && previousRelease.dir !== instance.release.dir && (!old || old.release.dir !== previousRelease.dir)) {
      await rm(previousRelease.dir, { recursive: true, force: true });
    }
    this.backoff.reset();
    if (announce) this.setLive("running");
    else {
      this.live = "running";
      this.lastReason = undefined;
    }
  }

  /** start / restart jobs: runs the current release again. */
  async startCurrent(): Promise<LaunchOutcome & { release?: Release }> {
    let release = this.record.release;
    if (!release) return { ok: false, error: "this app has not been deployed on this worker yet; deploy it first", tail: "" };
    await this.halt();
    // A stopped app's port may have gone to another process meanwhile: start it on a free one
    // (the job result carries the port, so the route follows).
    if (this.deps.pickPort && !(await isPortFree(release.port))) release = onPort(release, await this.deps.pickPort());
    const outcome = await this.launchCandidate(release);
    if (outcome.ok) await this.promote(outcome.instance, this.record.limits);
    else {
      this.record = { ...this.record, desired: "stopped", process: null };
      await this.deps.store.save(this.record);
      this.setLive("stopped", outcome.error);
    }
    return { ...outcome, release };
  }

  /** stop jobs: the app stays down until started or deployed again. */
  async stop(reason?: string): Promise<void> {
    await this.halt();
    this.record = { ...this.record, desired: "stopped", process: null, stopReason: reason, violation: undefined };
    await this.deps.store.save(this.record);
    this.setLive("stopped", reason);
  }

  /**
   * A plan limit was broken: stop the app. The violation frame already told the hub, so no
   * app_status follows (it would overwrite the hub's `violated` with `stopped`).
   */
  async stopForViolation(reason: string): Promise<void> {
    if (this.record.desired !== "running") return;
    await this.halt();
    this.record = { ...this.record, desired: "stopped", process: null, stopReason: reason, violation: reason };
    await this.deps.store.save(this.record);
    this.live = "stopped";
    this.lastReason = reason;
  }

  /** delete jobs: stop and remove everything the app left on this worker. */
  async destroy(): Promise<void> {
    await this.halt();
    this.live = "stopped";
    await this.deps.store.remove(this.appId);
  }

  /** Agent shutdown with --stop-apps-on-exit: stop the process but keep the desired state. */
  async shutdown(): Promise<void> {
    this.retired = true;
    this.cancelRestart();
    const current = this.current;
    this.current = null;
    await current?.stop();
  }

  /** Agent shutdown without stopping apps: stop following logs, leave the process running. */
  async detach(): Promise<void> {
    this.retired = true;
    this.cancelRestart();
    await this.current?.stopFollowing();
  }

  private async halt(): Promise<void> {
    this.cancelRestart();
    const current = this.current;
    this.current = null;
    await current?.stop();
  }

  private watch(instance: AppInstance): void {
    instance.onExit((info) => void this.onExit(instance, info));
  }

  private async onExit(instance: AppInstance, info: ExitInfo): Promise<void> {
    if (instance !== this.current || this.retired) return;
    await instance.stopFollowing();
    if (instance !== this.current) return;
    this.current = null;
    if (this.record.desired !== "running") return;
    if (Date.now() - instance.startedAt >= (this.deps.stableMs ?? 60_000)) this.backoff.reset();
    const delay = this.backoff.next();
    const how = info.signal ? `was killed by ${info.signal}` : info.code === null ? "exited" : `exited with code ${info.code}`;
    const reason = `the app ${how}; restarting in ${Math.max(1, Math.round(delay / 1000))} s`;
    this.deps.log.warn({ appId: this.appId, delayMs: delay }, reason);
    this.deps.events.log(this.appId, "stderr", `[wisehosting] ${reason}`);
    this.setLive("crashed", reason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.deps.mutex.run(this.appId, () => this.relaunch()).catch((err) => {
        this.deps.log.error({ appId: this.appId, err: (err as Error).message }, "restart failed");
      });
    }, delay);
    this.restartTimer.unref();
  }

  /** Crash restart: launch without waiting in the job path; report running once it answers. */
  private async relaunch(why?: string): Promise<void> {
    const release = this.record.release;
    if (this.record.desired !== "running" || this.current || !release) return;
    let instance: AppInstance;
    try {
      instance = await AppInstance.launch(this.appId, release, this.deps.events);
    } catch (err) {
      this.setLive("crashed", `could not start the app: ${(err as Error).message}`);
      return;
    }
    this.current = instance;
    this.watch(instance);
    this.record = { ...this.record, process: instance.proc.identity };
    await this.deps.store.save(this.record);
    if (why) this.deps.log.info({ appId: this.appId }, why);
    const check = this.healthCheckOf(release);
    // Running once the app itself answers: another process on its port proves nothing (port-holder.ts).
    const answeredByApp = () => instancePortHolder(instance, release.port) === "app";
    void waitUntilAnswering(release.port, check.timeoutMs, { hasExited: () => instance.proc.hasExited, path: check.path, answeredByApp }).then((outcome) => {
      if (outcome === "ready" && this.current === instance) this.setLive("running");
      else if (outcome === "taken" && this.current === instance) this.setLive("crashed", portTakenMessage(release.port));
    });
  }

  /** The release's health check (set by its deploy), else GET / within the worker's start timeout. */
  private healthCheckOf(release: Release): { path: string; timeoutMs: number } {
    return release.healthCheck ?? { path: "/", timeoutMs: this.deps.startTimeoutMs };
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private setLive(status: AppStatus, reason?: string): void {
    this.live = status;
    this.lastReason = reason;
    this.deps.events.appStatus(this.appId, status, reason);
  }
}
