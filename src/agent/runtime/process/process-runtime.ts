import { rm } from "node:fs/promises";
import path from "node:path";
import type { JobFrame } from "../../../protocol/job-payload";
import type { AgentLogger } from "../../logger";
import { AppStore, type AppRecord, type Release } from "./app-store";
import { DOCKERFILE_NEEDS_ENGINE } from "./dockerfile-refusal";
import { diskViolationMessage, effectiveHealthCheck, processRuntimeReport } from "../runtime-report";
import { AppSupervisor } from "./app-supervisor";
import { pickAppPort } from "./app-port";
import { killRecordedBuild } from "./build-process-marker";
import { BuildError, buildRelease } from "./build-release";
import { dirSize } from "../dir-size";
import { CheckoutError } from "../git-checkout";
import { JobCancelledError, throwIfCancelled } from "../job-cancelled";
import { KeyedMutex } from "../keyed-mutex";
import { SourceValidationError, type RepoNetworkPolicy } from "../repo-source";
import type { AppRuntime, AppSample, AppState, JobOutcome, JobReporter, RuntimeEvents } from "../app-runtime";
import { UsageSampler } from "./usage-sampler";
import { describeRegistrySettings, resolveRegistrySettings, type RegistrySettings } from "../../config/registry-settings";

export interface RuntimeOptions {
  stateDir: string;
  allowLocalRepos: boolean;
  /** Which repository hosts clones may reach (default: public addresses only). */
  repoNetwork?: RepoNetworkPolicy;
  /** The worker's ceiling on a build's time; each build otherwise gets its plan's build time. */
  buildTimeoutMs?: number;
  /** A clone's own limit and each build step's (AGENT_CLONE_TIMEOUT_SECONDS, AGENT_STEP_TIMEOUT_SECONDS). */
  cloneTimeoutMs?: number;
  stepTimeoutMs?: number;
  /** How builds reach the package registry; default: from this process's environment and npm config. */
  registry?: RegistrySettings;
  startTimeoutMs: number;
  crashBackoff: { initialMs: number; maxMs: number };
  events: RuntimeEvents;
  log: AgentLogger;
}

const LOG_TAIL_LINES = 60;

/**
 * Runs apps as local processes (there is no container engine): builds each deploy in its own
 * release directory, swaps it in once it answers, and keeps every app in its desired state.
 */
export class ProcessRuntime implements AppRuntime {
  readonly kind = "process";
  private readonly store: AppStore;
  private readonly mutex = new KeyedMutex();
  private readonly supervisors = new Map<number, AppSupervisor>();
  private readonly sampler = new UsageSampler();
  /** Apps being stopped for a violation: reported once, not on every sample until they are down. */
  private readonly violating = new Set<number>();
  private readonly diskBytes = new Map<number, number>();
  /** Release directories being built right now. */
  private readonly building = new Set<string>();
  /** Ports of builds in progress (their apps do not listen on them yet). */
  private readonly buildingPorts = new Set<number>();
  private readonly registry: RegistrySettings;

  constructor(private readonly options: RuntimeOptions) {
    this.store = new AppStore(options.stateDir);
    this.registry = options.registry ?? resolveRegistrySettings({}, process.env);
  }

  /** Loads the apps an earlier run left and re-attaches to (or restarts) the ones meant to run. */
  async init(): Promise<void> {
    this.options.log.info({ registry: describeRegistrySettings(this.registry), from: this.registry.sources }, "builds reach the package registry with these settings");
    const records = await this.store.loadAll();
    // Builds interrupted by an agent crash leave release directories nothing refers to.
    await this.store.removeOrphans(records);
    for (const record of records) {
      const supervisor = this.supervisorFor(record);
      await this.mutex.run(record.appId, () => supervisor.recover());
    }
  }

  /** What every app is really doing, for the hub after each (re)connect. */
  appStates(): AppState[] {
    return [...this.supervisors.values()].map((s) => ({ appId: s.appId, ...s.state }));
  }

  async execute(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    return this.mutex.run(job.app_id, async () => {
      switch (job.type) {
        case "deploy":
          return this.deploy(job, reporter);
        case "restart":
        case "start":
          return this.startExisting(job, reporter);
        case "stop": {
          reporter.progress(50, "Stopping the app");
          await this.supervisors.get(job.app_id)?.stop();
          return { ok: true };
        }
        case "delete": {
          reporter.progress(50, "Deleting the app");
          const supervisor = this.supervisors.get(job.app_id);
          if (supervisor) await supervisor.destroy();
          else await this.store.remove(job.app_id);
          this.supervisors.delete(job.app_id);
          return { ok: true };
        }
      }
    });
  }

  private async deploy(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    const payload = job.payload;
    if (!payload) return { ok: false, error: "the deploy job carries no payload" };
    if (payload.buildSettings.kind === "dockerfile") {
      // Refused before anything is cloned: no build here could honour the Dockerfile.
      reporter.buildLog(`Deploy failed: ${DOCKERFILE_NEEDS_ENGINE}`);
      return { ok: false, error: DOCKERFILE_NEEDS_ENGINE, logs: `Deploy failed: ${DOCKERFILE_NEEDS_ENGINE}` };
    }
    const check = effectiveHealthCheck(payload, this.options.startTimeoutMs);
    const tail: string[] = [];
    const buildLog = (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      reporter.buildLog(line);
    };
    const existing = this.supervisors.get(job.app_id);
    const supervisor =
      existing ??
      this.supervisorFor({ appId: job.app_id, appUuid: job.app_uuid, appName: job.app_name, desired: "stopped", limits: payload.limits, release: null, process: null });
    const releaseId = `job-${job.job_id}`;
    const releaseDir = this.store.releaseDir(job.app_id, releaseId);
    let promoted = false;
    let port: number | null = null;
    this.building.add(releaseDir);
    try {
      port = await this.pickPort();
      this.buildingPorts.add(port);
      const release = await buildRelease({
        releaseId,
        releaseDir,
        caches: {
          npm: path.join(this.options.stateDir, "npm-cache"),
          corepack: path.join(this.options.stateDir, "build-cache", "corepack"),
          pnpmStore: path.join(this.options.stateDir, "build-cache", "pnpm-store"),
          yarn: path.join(this.options.stateDir, "build-cache", "yarn"),
        },
        payload,
        allowLocalRepos: this.options.allowLocalRepos,
        repoNetwork: this.options.repoNetwork,
        buildTimeoutCeilingMs: this.options.buildTimeoutMs,
        cloneTimeoutMs: this.options.cloneTimeoutMs,
        stepTimeoutMs: this.options.stepTimeoutMs,
        signal: reporter.signal,
        registry: this.registry,
        port,
        progress: (p, m) => reporter.progress(p, m),
        buildLog,
        checkedOut: (commit) => reporter.checkedOut?.(commit),
      });
      throwIfCancelled(reporter.signal, "before the app was started");
      reporter.progress(75, `Starting the app on port ${port}`);
      buildLog(`$ ${release.argv.join(" ")}  (PORT=${port})`);
      const candidate: Release = { ...release, healthCheck: check };
      const outcome = await supervisor.launchCandidate(candidate);
      if (!outcome.ok) {
        if (outcome.tail) buildLog(outcome.tail);
        return { ok: false, error: outcome.error, logs: tail.join("\n") };
      }
      if (reporter.signal?.aborted) {
        // Cancelled while the new version was starting: it never takes traffic.
        await outcome.instance.stop(2_000);
        throw new JobCancelledError("before traffic switched to the new version");
      }
      reporter.progress(95, "The app answers; switching traffic to it");
      await supervisor.promote(outcome.instance, payload.limits);
      promoted = true;
      buildLog(`Deployed ${release.commitSha.slice(0, 12)}: the app answers on port ${port}`);
      return {
        ok: true,
        port,
        containerId: `pid-${outcome.instance.proc.pid}`,
        commitSha: release.commitSha,
        commitMessage: release.commitMessage,
        logs: tail.join("\n"),
        runtime: processRuntimeReport({ limits: payload.limits, built: payload, buildTimeoutCeilingMs: this.options.buildTimeoutMs, healthCheck: check }),
      };
    } catch (err) {
      const known = err instanceof BuildError || err instanceof CheckoutError || err instanceof SourceValidationError || err instanceof JobCancelledError;
      if (!known) this.options.log.error({ err, appId: job.app_id }, "deploy failed unexpectedly");
      const error = known ? (err as Error).message : `internal agent error: ${(err as Error).message}`;
      buildLog(`Deploy failed: ${error}`);
      return { ok: false, error, logs: tail.join("\n") };
    } finally {
      this.building.delete(releaseDir);
      if (port !== null) this.buildingPorts.delete(port);
      // A failed release is of no further use (its log tail is in the result); the running one stays.
      if (!promoted) await rm(releaseDir, { recursive: true, force: true }).catch(() => undefined);
      if (!existing && !supervisor.record.release) {
        this.supervisors.delete(job.app_id);
        await this.store.remove(job.app_id).catch(() => undefined);
      }
    }
  }

  private async startExisting(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    const supervisor = this.supervisors.get(job.app_id);
    if (!supervisor) return { ok: false, error: "this app has not been deployed on this worker; deploy it first" };
    reporter.progress(50, job.type === "restart" ? "Restarting the app" : "Starting the app");
    const outcome = await supervisor.startCurrent();
    if (!outcome.ok) return { ok: false, error: outcome.error, logs: outcome.tail };
    return {
      ok: true,
      port: outcome.release?.port,
      containerId: `pid-${outcome.instance.proc.pid}`,
      commitSha: outcome.release?.commitSha,
      commitMessage: outcome.release?.commitMessage,
      ...(supervisor.record.limits
        ? {
            runtime: processRuntimeReport({
              limits: supervisor.record.limits,
              built: null,
              healthCheck: outcome.release?.healthCheck ?? { path: "/", timeoutMs: this.options.startTimeoutMs },
            }),
          }
        : {}),
    };
  }

  /**
   * Measures every running app and enforces the plan's memory and process limits: an app over
   * either is stopped and reported as a violation (there are no cgroups to cap it in place).
   */
  sampleUsage(): AppSample[] {
    const targets = [...this.supervisors.values()].map((s) => s.usageTarget).filter((t) => t !== null);
    const usage = this.sampler.sample(targets);
    const samples: AppSample[] = [];
    for (const [appId, u] of usage) {
      const supervisor = this.supervisors.get(appId);
      const limits = supervisor?.record.limits;
      const memLimitBytes = (limits?.memoryMb ?? 0) * 1024 * 1024;
      // Processes share the worker's network: no per-app counters (docs/worker-agent.md).
      samples.push({ appId, ...u, memLimitBytes, netMbps: 0, netTotalBytes: 0 });
      if (!supervisor || !limits || this.violating.has(appId)) continue;
      let reason: string | null = null;
      if (u.memBytes > memLimitBytes) {
        reason = `memory ${Math.ceil(u.memBytes / 1048576)} MiB is over the plan's limit of ${limits.memoryMb} MiB`;
      } else if (u.processCount > limits.pids) {
        reason = `${u.processCount} processes are over the plan's limit of ${limits.pids}`;
      }
      if (reason) {
        const why = `stopped by the worker: ${reason}`;
        this.options.events.violation(appId, why);
        this.violating.add(appId);
        void this.mutex
          .run(appId, () => supervisor.stopForViolation(why))
          .finally(() => this.violating.delete(appId));
      }
    }
    return samples;
  }

  /** MiB on disk in release directories (as last measured). */
  diskUsedMb(): number {
    let bytes = 0;
    for (const s of this.supervisors.values()) bytes += this.diskBytes.get(s.appId) ?? s.record.release?.diskBytes ?? 0;
    return Math.round(bytes / 1048576);
  }

  /**
   * Measures each running app's release directory (files it wrote, its logs) and stops an app
   * over its plan's disk limit. Walking node_modules is not free, so the agent calls this every
   * few minutes, not with every stats sample.
   */
  async checkDisk(): Promise<void> {
    for (const supervisor of this.supervisors.values()) {
      const release = supervisor.record.release;
      const limits = supervisor.record.limits;
      if (!release || !limits || supervisor.state.status !== "running" || this.violating.has(supervisor.appId)) continue;
      const bytes = await dirSize(release.dir);
      this.diskBytes.set(supervisor.appId, bytes);
      if (bytes > limits.diskMb * 1024 * 1024) {
        const why = diskViolationMessage(bytes, limits.diskMb);
        this.options.events.violation(supervisor.appId, why);
        this.violating.add(supervisor.appId);
        await this.mutex.run(supervisor.appId, () => supervisor.stopForViolation(why)).finally(() => this.violating.delete(supervisor.appId));
      }
    }
  }

  /** Agent exit: stop every app, or leave them running for the next agent run to adopt. */
  async shutdown(stopApps: boolean): Promise<void> {
    // A build in progress would hold its app's lock for minutes: end it, the deploy fails.
    for (const dir of this.building) await killRecordedBuild(dir);
    await Promise.all(
      [...this.supervisors.values()].map((s) => this.mutex.run(s.appId, () => (stopApps ? s.shutdown() : s.detach()))),
    );
  }

  /** A free port no app of this runtime holds in its record or is being built for. */
  private pickPort(): Promise<number> {
    const given = new Set(this.buildingPorts);
    for (const s of this.supervisors.values()) if (s.record.release) given.add(s.record.release.port);
    return pickAppPort(given);
  }

  private supervisorFor(record: AppRecord): AppSupervisor {
    const supervisor = new AppSupervisor(record, {
      store: this.store,
      events: this.options.events,
      mutex: this.mutex,
      log: this.options.log,
      startTimeoutMs: this.options.startTimeoutMs,
      crashBackoff: this.options.crashBackoff,
      pickPort: () => this.pickPort(),
    });
    this.supervisors.set(record.appId, supervisor);
    return supervisor;
  }
}
