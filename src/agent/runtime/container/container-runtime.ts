import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { freePort } from "../../../net/free-port";
import { buildLimitsOf, type JobFrame, type RollbackTarget } from "../../../protocol/job-payload";
import { describeRegistrySettings, type RegistrySettings } from "../../config/registry-settings";
import type { AgentLogger } from "../../logger";
import type { AppRuntime, AppSample, AppState, AppStatus, JobOutcome, JobReporter, RuntimeEvents } from "../app-runtime";
import { CheckoutError, checkoutCommit } from "../git-checkout";
import { JobCancelledError } from "../job-cancelled";
import { KeyedMutex } from "../keyed-mutex";
import { SourceValidationError, type RepoNetworkPolicy } from "../repo-source";
import { inspectContainer, listAppContainers, removeContainer, runAppContainer, startContainer, stopContainer } from "./app-container";
import { containerBuildSettingsSchema } from "./build-plan";
import { ContainerAppStore, type ContainerAppRecord } from "./container-app-store";
import { containerExit } from "./container-exit";
import { containerLogTail } from "./container-log-tail";
import { containerStartFailure, wrongPortWatch } from "./container-start-diagnosis";
import { followContainerLogs, type LogFollower } from "./container-logs";
import { watchContainerStats, type ContainerStatsSample, type StatsWatcher } from "./container-stats";
import type { Engine } from "./engine";
import { watchContainerEvents, type ContainerEvent, type EventWatcher } from "./engine-events";
import { engineGone } from "./engine-gone";
import { healthCheckPath, HealthCheckPathError, waitForHealthy } from "./health-check";
import { containerRuntimeReport, diskViolationMessage, effectiveHealthCheck } from "../runtime-report";
import { buildAppImage, ImageBuildError } from "./image-build";
import { imageExists, inspectImage, listAppImages, pruneAppImages, removeImage } from "./images";
import { KnownImages, type ImageFacts } from "./known-images";
import { appImageTag, inScope, LABELS, type AppRef } from "./labels";
import { listNetworkHolders, NetworkHolderPool, removeNetworkHolder, stopNetworkHolder, type NetworkHolder } from "./network-holder";
import type { AppContainerSpec } from "./container-spec";
import { stopOrphanBuilds, type OrphanBuildSweep } from "./orphan-builds";

export interface ContainerRuntimeOptions {
  engine: Engine;
  /** Labels every container and image (labels.ts), so a later run finds exactly this worker's own. */
  workerName: string;
  stateDir: string;
  /** FROM of generated Containerfiles (base-image.ts). */
  baseImage: string;
  /** The worker's registry and trust settings, which reach builds as build-time secrets only (build-secrets.ts). */
  registry?: RegistrySettings;
  allowLocalRepos: boolean;
  repoNetwork?: RepoNetworkPolicy;
  /** The worker's ceiling on a build's time; each build otherwise gets its plan's build time. */
  buildTimeoutMs?: number;
  /** A clone's own limit (AGENT_CLONE_TIMEOUT_SECONDS). */
  cloneTimeoutMs?: number;
  /** How long a new container has to answer its health check. */
  startTimeoutMs: number;
  crashBackoff: { initialMs: number; maxMs: number };
  /** Images kept per app for rollback (default 3). */
  keepImages?: number;
  /**
   * How long a replaced container keeps serving after the deploy's result went out (default 10 s):
   * the proxy learns the new port on its next poll (Traefik every 5 s, deploy/traefik/traefik.yml;
   * the development ingress every second), and a request still sent to the old port is answered.
   */
  drainMs?: number;
  /** Grace between SIGTERM and SIGKILL when a container is stopped (default 10 s). */
  stopGraceSeconds?: number;
  /** The host address app ports are published on (default 127.0.0.1, where the proxy connects). */
  hostIp?: string;
  events: RuntimeEvents;
  log: AgentLogger;
}

const LOG_TAIL_LINES = 60;
/** A container that ran this long before dying starts its crash backoff again from the beginning. */
const STABLE_RUN_MS = 60_000;

/** One app the runtime looks after: its record, what it is doing now, and what follows it. */
interface AppSlot {
  record: ContainerAppRecord;
  status: AppStatus;
  reason?: string;
  logs: LogFollower | null;
  stats: StatsWatcher | null;
  /** Previous sample's block I/O and network bytes, for the MB/s and Mbit/s rates. */
  lastIo: { at: number; bytes: number; netBytes: number } | null;
  startedAt: number;
  crashes: number;
  restartTimer: NodeJS.Timeout | null;
  cursorWrite: Promise<void> | null;
  cursorDirty: boolean;
  diskBytes: number;
  /** Set when the network holder stopped under the running app, which was stopped for it (onHolderDied). */
  networkLost: boolean;
}

/**
 * Runs each app in a container of the worker's engine (Podman or Docker): a deploy clones the
 * commit (git-checkout.ts, as the process runtime does), builds an image (image-build.ts) within
 * the plan's build limits, starts it beside the serving container on a fresh port and swaps only
 * once it passes its health check (health-check.ts). Crashes come from the engine's event stream
 * (engine-events.ts) and are restarted with backoff; containers keep running while the agent is
 * down and are adopted again by `init` (docs/worker-agent.md, "Container runtime").
 */
export class ContainerRuntime implements AppRuntime {
  readonly kind = "container";
  private readonly store: ContainerAppStore;
  private readonly mutex = new KeyedMutex();
  private readonly slots = new Map<number, AppSlot>();
  private readonly builds = new Set<AbortController>();
  /** Apps found over their disk limit whose stop waits for the app's lock (checkDisk). */
  private readonly diskStops = new Set<number>();
  /** Replaced containers still serving out their drain period, with the retirement each waits for. */
  private readonly draining = new Map<NodeJS.Timeout, () => Promise<void>>();
  private events: EventWatcher | null = null;
  private orphanBuilds: OrphanBuildSweep | null = null;
  private closing = false;
  private readonly engine: Engine;
  private readonly holders: NetworkHolderPool;
  private readonly knownImages = new KnownImages();

  constructor(private readonly options: ContainerRuntimeOptions) {
    this.store = new ContainerAppStore(options.stateDir);
    this.engine = options.engine;
    this.holders = new NetworkHolderPool(options.engine, { workerName: options.workerName, image: options.baseImage, hostIp: this.hostIp, log: options.log });
  }

  private get hostIp(): string {
    return this.options.hostIp ?? "127.0.0.1";
  }

  private get grace(): number {
    return this.options.stopGraceSeconds ?? 10;
  }

  async init(): Promise<void> {
    this.options.log.info({ engine: this.engine.describe(), worker: this.options.workerName }, "apps run in containers");
    const registry = this.options.registry;
    if (registry) this.options.log.info({ registry: describeRegistrySettings(registry), from: registry.sources }, "builds reach the package registry with these settings");
    await this.watchEvents();
    // Builds a killed run left going in the engine: stopped before anything else (orphan-builds.ts).
    this.orphanBuilds = await stopOrphanBuilds(this.options.workerName);
    if (this.orphanBuilds.builds.length) this.options.log.info({ builds: this.orphanBuilds.builds.length, killed: this.orphanBuilds.killed }, "stopped the image builds the previous run left");
    void this.orphanBuilds.done.catch((err: unknown) => this.options.log.warn({ err }, "could not clean up after the builds the previous run left"));
    const records = await this.store.loadAll();
    const known = new Set(records.map((r) => r.containerId));
    // A container no record refers to is a candidate an interrupted deploy left: it never served.
    let orphans = 0;
    for (const c of await listAppContainers(this.engine, { workerName: this.options.workerName })) {
      if (known.has(c.id)) continue;
      await removeContainer(this.engine, c.id, { force: true }).catch(() => undefined);
      orphans++;
    }
    // Holders no record refers to: the previous run's spares, and those of containers removed above.
    const holders = new Set(records.map((r) => r.holderId));
    let orphanHolders = 0;
    for (const h of await listNetworkHolders(this.engine, this.options.workerName)) {
      if (holders.has(h.id)) continue;
      await removeNetworkHolder(this.engine, h.id).catch(() => undefined);
      orphanHolders++;
    }
    // Checkouts of deploys the previous run did not finish: nothing resumes them (the platform
    // ends such a job, src/server/jobs/recover-stuck-jobs.ts), so they only take disk.
    const builds = path.join(this.options.stateDir, "container-builds");
    const leftovers = (await readdir(builds).catch(() => [])).length;
    await rm(builds, { recursive: true, force: true });
    if (orphans || leftovers) this.options.log.info({ containers: orphans, networkHolders: orphanHolders, checkouts: leftovers }, "removed what an interrupted deploy of the previous run left");
    else if (orphanHolders) this.options.log.info({ networkHolders: orphanHolders }, "removed the spare network holders of the previous run");
    for (const record of records) {
      const slot = this.slotFor(record);
      await this.mutex.run(record.appId, () => this.recover(slot));
    }
    // Spares for the next deploys, made in the background.
    for (const internalPort of new Set(records.map((r) => r.internalPort))) void this.holders.refill(internalPort);
  }

  /** Re-attaches to a running container, or brings a stopped one back to its desired state. */
  private async recover(slot: AppSlot): Promise<void> {
    const info = await inspectContainer(this.engine, slot.record.containerId);
    if (!info) {
      if (slot.record.desired === "running" && (await imageExists(this.engine, slot.record.image))) {
        await this.recreate(slot);
        return;
      }
      this.setStatus(slot, "stopped", "the container is gone", false);
      return;
    }
    if (info.State.Running && slot.record.holderId && !(await inspectContainer(this.engine, slot.record.holderId))?.State.Running) {
      // Its holder stopped while the agent was down, taking the published port: nothing reaches the app.
      await stopContainer(this.engine, slot.record.containerId, this.grace);
      info.State.Running = false;
    }
    if (info.State.Running) {
      slot.startedAt = Date.parse(info.State.StartedAt ?? "") || Date.now();
      await this.attach(slot);
      this.setStatus(slot, "running", undefined, false);
      return;
    }
    if (slot.record.desired === "running") {
      await this.attachAfterStart(slot);
      this.options.log.info({ appId: slot.record.appId }, "restarted the app's container, which stopped while the agent was down");
    } else {
      this.setStatus(slot, "stopped", slot.record.violation ?? undefined, false);
    }
  }

  appStates(): AppState[] {
    return [...this.slots.values()].map((s) => ({
      appId: s.record.appId,
      status: s.status,
      ...(s.reason ? { reason: s.reason } : {}),
      ...(s.record.violation ? { violation: s.record.violation } : {}),
    }));
  }

  /**
   * Resolves once the work already queued on the app is done: a replaced container's retirement,
   * image pruning, following a new container's logs. bench:deploy times each job from an idle app.
   */
  whenIdle(appId: number): Promise<void> {
    return this.mutex.run(appId, async () => {});
  }

  async execute(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    return this.mutex.run(job.app_id, async () => {
      switch (job.type) {
        case "deploy":
          return this.deploy(job, reporter);
        case "start":
        case "restart":
          return this.startExisting(job, reporter);
        case "stop": {
          reporter.progress(50, "Stopping the app");
          const slot = this.slots.get(job.app_id);
          if (slot) await this.stopSlot(slot, "stopped by the user", null);
          return { ok: true };
        }
        case "delete": {
          reporter.progress(50, "Deleting the app");
          await this.deleteApp(job.app_id);
          return { ok: true };
        }
      }
    });
  }

  private async deploy(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    const payload = job.payload;
    if (!payload) return { ok: false, error: "the deploy job carries no payload" };
    const tail: string[] = [];
    const buildLog = (line: string) => {
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      reporter.buildLog(line);
    };
    const fail = (error: string, extra: string[] = []): JobOutcome => {
      for (const line of extra) buildLog(line);
      buildLog(`Deploy failed: ${error}`);
      return { ok: false, error, logs: tail.join("\n") };
    };
    const deploymentId = job.deployment_id ?? job.job_id;
    const ref: AppRef = { appId: job.app_id, deploymentId, workerName: this.options.workerName };
    const work = path.join(this.options.stateDir, "container-builds", `job-${job.job_id}`);
    const controller = new AbortController();
    this.builds.add(controller);
    // A cancel frame (src/agent/jobs/job-runner.ts) ends the build like an agent shutdown does.
    reporter.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    const limits = buildLimitsOf(payload);
    const check = effectiveHealthCheck(payload, this.options.startTimeoutMs);
    const planMs = limits.timeoutSeconds * 1000;
    const timeoutMs = this.options.buildTimeoutMs ? Math.min(planMs, this.options.buildTimeoutMs) : planMs;
    const deadline = Date.now() + timeoutMs;
    let candidate: string | null = null;
    let candidateHolder: string | null = null;
    try {
      const settings = containerBuildSettingsSchema.parse(payload.buildSettings);
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true, mode: 0o700 });
      buildLog(`Build limits: memory ${limits.memoryMb} MiB, ${limits.cpu} CPU, time ${Math.round(timeoutMs / 1000)} s; the app then runs with ${payload.limits.memoryMb} MiB and ${payload.limits.cpu} CPU`);
      const reuse = payload.commitSha ? await this.reusableImage(job.app_id, deploymentId, payload.rollbackTarget, buildLog) : null;
      let commit: { sha: string; message: string };
      let image: ImageFacts;
      if (reuse) {
        commit = { sha: payload.commitSha, message: "" };
        image = reuse;
        reporter.progress(60, "Reusing the image built earlier");
      } else {
        reporter.progress(10, "Cloning the repository");
        commit = await checkoutCommit({
          repoUrl: payload.repoUrl,
          branch: payload.branch,
          commitSha: payload.commitSha,
          dir: work,
          allowLocal: this.options.allowLocalRepos,
          network: this.options.repoNetwork,
          timeoutMs: Math.max(1, deadline - Date.now()),
          cloneTimeoutMs: this.options.cloneTimeoutMs,
          signal: controller.signal,
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: work },
          onLine: buildLog,
        });
        reporter.checkedOut?.(commit);
        buildLog(`Checked out ${commit.sha.slice(0, 12)} ${commit.message.split("\n")[0] ?? ""}`);
        reporter.progress(20, "Building the image");
        const built = await buildAppImage({
          engine: this.engine,
          checkout: path.join(work, "src"),
          settings,
          app: ref,
          internalPort: payload.internalPort,
          baseImage: this.options.baseImage,
          limits: { cpu: limits.cpu, memoryMb: limits.memoryMb },
          timeoutMs: Math.max(1, deadline - Date.now()),
          buildEnv: payload.env,
          registry: this.options.registry,
          onLine: buildLog,
          // Steps take the progress from 20 to 70 %.
          onProgress: (p, m) => reporter.progress(20 + Math.floor(p / 2), m),
          signal: controller.signal,
        });
        buildLog(`Built ${built.image} (${Math.ceil(built.sizeBytes / 1048576)} MiB) in ${Math.round(built.durationMs / 1000)} s`);
        image = { image: built.image, imageId: built.imageId, readOnlyRootfs: built.readOnlyRootfs, sizeBytes: built.sizeBytes, imageUser: built.imageUser };
        this.knownImages.remember(image);
        await rm(work, { recursive: true, force: true });
      }
      const imageSizeBytes = image.sizeBytes;

      const spec = (holder: NetworkHolder | null, port: number): AppContainerSpec => ({
        app: ref,
        image: image.image,
        name: `wh-${this.options.workerName}-${job.app_id}-${deploymentId}-j${job.job_id}`,
        internalPort: payload.internalPort,
        hostIp: this.hostIp,
        hostPort: port,
        networkOf: holder?.id,
        env: payload.env,
        limits: { cpu: payload.limits.cpu, memoryMb: payload.limits.memoryMb, pids: payload.limits.pids },
        readOnlyRootfs: image.readOnlyRootfs,
        stopGraceSeconds: this.grace,
        // Known from the build or the reused image: no engine call for it here.
        imageUser: image.imageUser,
      });
      // A spare holder already has its network set up (network-holder.ts): the container only joins it.
      let holder: (NetworkHolder & { spare?: boolean }) | null = await this.holders.take(payload.internalPort);
      candidateHolder = holder?.id ?? null;
      let port = holder?.port ?? (await freePort(this.hostIp));
      reporter.progress(75, `Starting the new container on port ${port}`);
      let started: { id: string; name: string };
      try {
        started = await runAppContainer(this.engine, spec(holder, port));
      } catch (err) {
        if (reuse?.remembered && !(await imageExists(this.engine, image.image).catch(() => true))) {
          // Removed behind the runtime's back since it learnt of it: decided again, which builds the commit.
          this.knownImages.forget(image.image);
          buildLog(`The image ${image.image} is no longer on this worker; deciding again`);
          return await this.deploy(job, reporter);
        }
        if (!holder?.spare) throw err;
        // The spare stopped unnoticed (events are missed while the engine's stream is down): a new holder.
        await removeNetworkHolder(this.engine, holder.id).catch(() => undefined);
        holder = await this.holders.make(payload.internalPort);
        candidateHolder = holder?.id ?? null;
        port = holder?.port ?? (await freePort(this.hostIp));
        started = await runAppContainer(this.engine, spec(holder, port));
      }
      candidate = started.id;
      reporter.progress(85, "Waiting for the new container to answer its health check");
      const health = await waitForHealthy({
        host: this.hostIp,
        port,
        path: healthCheckPath(check.path),
        timeoutMs: check.timeoutMs,
        // From 10 ms, growing to 500: an app up in a fraction of a second is switched to at once (bench:deploy's rollback figure).
        intervalMs: 10,
        maxIntervalMs: 500,
        isAlive: async () => (await inspectContainer(this.engine, started.id))?.State.Running ?? false,
        // An app that listens on a fixed port instead of $PORT fails with that, not a timeout.
        giveUp: wrongPortWatch(this.engine, started.id, payload.internalPort),
        signal: controller.signal,
      });
      if (!health.healthy) {
        const logTail = await containerLogTail(this.engine, started.id, LOG_TAIL_LINES);
        const exit = await containerExit(this.engine, started.id).catch(() => null);
        const why = await containerStartFailure({ engine: this.engine, containerId: started.id, health, exit, internalPort: payload.internalPort, check });
        await removeContainer(this.engine, started.id, { force: true }).catch(() => undefined);
        candidate = null;
        if (candidateHolder) await removeNetworkHolder(this.engine, candidateHolder).catch(() => undefined);
        candidateHolder = null;
        const serving = this.slots.get(job.app_id);
        const still = serving && serving.status === "running" ? "; the previous version keeps serving" : "";
        return fail(`${why}${still}`, logTail.length ? ["--- app output ---", ...logTail] : ["(the app wrote no output)"]);
      }
      if (reporter.signal?.aborted) throw new JobCancelledError("before traffic switched to the new container");
      reporter.progress(95, "The new container answers; switching traffic to it");

      const record: ContainerAppRecord = {
        appId: job.app_id,
        desired: "running",
        deploymentId,
        image: image.image,
        containerId: started.id,
        holderId: holder?.id ?? null,
        port,
        internalPort: payload.internalPort,
        env: payload.env,
        limits: payload.limits,
        healthCheck: check,
        readOnlyRootfs: image.readOnlyRootfs,
        commitSha: commit.sha,
        commitMessage: commit.message,
        violation: null,
        logCursor: null,
      };
      const previous = this.slots.get(job.app_id);
      const oldContainer = previous?.record.containerId ?? null;
      const oldHolder = previous?.record.holderId ?? null;
      if (previous) this.detachSlot(previous);
      const slot = this.slotFor(record);
      await this.store.save(record);
      candidate = null;
      candidateHolder = null;
      slot.startedAt = Date.now();
      this.setStatus(slot, "running");
      // Following its logs (from its first line) and stats waits behind this job on the app's
      // lock, as retiring the old container does: the result goes out first.
      void this.mutex.run(job.app_id, async () => {
        if (!this.closing && this.slots.get(job.app_id) === slot && slot.record.desired === "running" && slot.status === "running") await this.attach(slot);
      });
      // The next deploy's holder, made while nothing waits for it.
      void this.mutex.run(job.app_id, () => this.holders.refill(payload.internalPort));
      // Said again at the end, where the result's log tail keeps it (the image decision comes first).
      const target = payload.rollbackTarget;
      if (target) buildLog(reuse ? `Rolled back to deployment ${target.deploymentId} by starting its image ${image.image} again` : `Rolled back to deployment ${target.deploymentId} by building its commit again (its image was no longer on this worker)`);
      buildLog(`Deployed ${commit.sha.slice(0, 12)}: the app answers on port ${port}`);
      // The old container serves until the result has gone out and the proxy has had its drain
      // period to move to the new port; then its retirement waits for the app's lock.
      if (oldContainer && oldContainer !== started.id) this.retireAfterDrain(job.app_id, oldContainer, oldHolder, image.image);
      else void this.mutex.run(job.app_id, () => this.prune(job.app_id, image.image));
      const runtime = containerRuntimeReport({
        engine: this.engine.describe(),
        image: image.image,
        imageSizeBytes,
        limits: payload.limits,
        built: reuse ? null : payload,
        buildTimeoutCeilingMs: this.options.buildTimeoutMs,
        healthCheck: check,
      });
      return { ok: true, port, containerId: started.id, commitSha: commit.sha, commitMessage: commit.message, logs: tail.join("\n"), runtime };
    } catch (err) {
      const known =
        err instanceof ImageBuildError || err instanceof CheckoutError || err instanceof SourceValidationError || err instanceof HealthCheckPathError;
      if (reporter.signal?.aborted) return fail(err instanceof JobCancelledError ? err.message : "cancelled while building the image");
      if (!known) this.options.log.error({ err, appId: job.app_id }, "container deploy failed unexpectedly");
      const extra = err instanceof ImageBuildError && err.logTail.length ? err.logTail.filter((l) => !tail.includes(l)) : [];
      // A Podman service going down kills the running step first, so the build reads as a failed
      // step: said as what it was when the engine stops answering just after.
      const gone = err instanceof ImageBuildError ? await engineGone(this.engine, { recheckMs: 1_000 }) : null;
      if (gone) return fail(gone, extra);
      return fail(known ? (err as Error).message : `internal agent error: ${(err as Error).message}`, extra);
    } finally {
      this.builds.delete(controller);
      if (candidate) await removeContainer(this.engine, candidate, { force: true }).catch(() => undefined);
      if (candidateHolder) await removeNetworkHolder(this.engine, candidateHolder).catch(() => undefined);
      await rm(work, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * The image a deploy pinned to a commit can start without building: this deployment's own (a
   * retried deploy), else on a rollback the target deployment's (payload.rollbackTarget), if this
   * worker still holds it and built it for this app. Says in the build log which it is, or that
   * the target's image was pruned and the commit is built again. An image this run built or
   * looked at before is taken from what it remembers (known-images.ts): `remembered`.
   */
  private async reusableImage(
    appId: number,
    deploymentId: number,
    target: RollbackTarget | undefined,
    buildLog: (line: string) => void,
  ): Promise<(ImageFacts & { remembered: boolean }) | null> {
    const scope = { appId, workerName: this.options.workerName };
    const own = appImageTag(appId, deploymentId);
    const tag = target ? (target.imageTag ?? appImageTag(appId, target.deploymentId)) : null;
    const known = this.knownImages.get(own) ?? (tag ? this.knownImages.get(tag) : null);
    if (known) {
      buildLog(known.image === own ? `Reusing the image ${own} built earlier for this deployment (no rebuild)` : `Rolling back to deployment ${target!.deploymentId}: reusing its image ${known.image} (no rebuild)`);
      return { ...known, remembered: true };
    }
    const usable = async (ref: string) => {
      const info = await inspectImage(this.engine, ref);
      if (!info || !inScope(info.Config?.Labels, scope)) return null;
      const facts: ImageFacts = { image: ref, imageId: info.Id, readOnlyRootfs: info.Config?.Labels?.[LABELS.kind] !== "dockerfile", sizeBytes: info.Size ?? null, imageUser: info.Config?.User ?? null };
      this.knownImages.remember(facts);
      return { ...facts, remembered: false };
    };
    // Both asked at once: a rollback's own tag is almost never there, and each answer is an engine round trip.
    const [retried, kept] = await Promise.all([usable(own), tag ? usable(tag).catch(() => null) : null]);
    if (retried) {
      buildLog(`Reusing the image ${own} built earlier for this deployment (no rebuild)`);
      return retried;
    }
    if (!target || !tag) return null;
    if (kept) {
      buildLog(`Rolling back to deployment ${target.deploymentId}: reusing its image ${tag} (no rebuild)`);
      return kept;
    }
    buildLog(`Rolling back to deployment ${target.deploymentId}: its image ${tag} is no longer on this worker (pruned or never built here), so the commit is built again`);
    return null;
  }

  /** Retires a replaced container once the drain period has passed (at once when it is 0). */
  private retireAfterDrain(appId: number, containerId: string, holderId: string | null, current: string): void {
    const retire = () => this.mutex.run(appId, () => this.retire(appId, containerId, holderId, current));
    const drainMs = this.options.drainMs ?? 10_000;
    if (drainMs <= 0) {
      void retire();
      return;
    }
    const timer = setTimeout(() => {
      this.draining.delete(timer);
      void retire();
    }, drainMs);
    this.draining.set(timer, retire);
  }

  /** SIGTERM, grace, removal of the container a deploy replaced and then of its holder; then old images beyond the kept ones go. */
  private async retire(appId: number, containerId: string, holderId: string | null, current: string): Promise<void> {
    try {
      await stopContainer(this.engine, containerId, this.grace);
      await removeContainer(this.engine, containerId, { force: true });
      if (holderId) await removeNetworkHolder(this.engine, holderId);
    } catch (err) {
      this.options.log.warn({ err, appId, containerId }, "could not remove the replaced container");
    }
    await this.prune(appId, current);
  }

  private async prune(appId: number, current: string): Promise<void> {
    try {
      const removed = await pruneAppImages(this.engine, { appId, workerName: this.options.workerName }, this.options.keepImages ?? 3, [current]);
      this.knownImages.forgetIds(removed);
      if (removed.length) this.options.log.info({ appId, removed: removed.length }, "removed old app images");
    } catch (err) {
      this.options.log.warn({ err, appId }, "could not prune old app images");
    }
  }

  private async startExisting(job: JobFrame, reporter: JobReporter): Promise<JobOutcome> {
    const slot = this.slots.get(job.app_id);
    if (!slot) return { ok: false, error: "this app has not been deployed on this worker; deploy it first" };
    reporter.progress(30, job.type === "restart" ? "Restarting the app" : "Starting the app");
    this.clearRestart(slot);
    if (job.type === "restart") {
      // Desired "stopped" while stopping, so the `die` event is not taken for a crash.
      slot.record.desired = "stopped";
      this.detachSlot(slot);
      await stopContainer(this.engine, slot.record.containerId, this.grace);
    }
    slot.record.desired = "running";
    slot.record.violation = null;
    slot.crashes = 0;
    await this.store.save(slot.record);
    try {
      if (await inspectContainer(this.engine, slot.record.containerId)) await this.attachAfterStart(slot);
      else await this.recreate(slot);
    } catch (err) {
      this.setStatus(slot, "stopped", (err as Error).message);
      return { ok: false, error: `the container could not start: ${(err as Error).message}` };
    }
    reporter.progress(60, "Waiting for the app to answer");
    const check = slot.record.healthCheck ?? { path: "/", timeoutMs: this.options.startTimeoutMs };
    const health = await waitForHealthy({
      host: this.hostIp,
      port: slot.record.port,
      path: check.path,
      timeoutMs: check.timeoutMs,
      isAlive: async () => (await inspectContainer(this.engine, slot.record.containerId))?.State.Running ?? false,
    });
    if (!health.healthy) {
      const logs = (await containerLogTail(this.engine, slot.record.containerId, LOG_TAIL_LINES)).join("\n");
      return { ok: false, error: `the app did not answer on port ${slot.record.internalPort} after starting (${health.reason})`, logs };
    }
    const image = await inspectImage(this.engine, slot.record.image).catch(() => null);
    const runtime = containerRuntimeReport({ engine: this.engine.describe(), image: slot.record.image, imageSizeBytes: image?.Size ?? null, limits: slot.record.limits, built: null, healthCheck: check });
    return { ok: true, port: slot.record.port, containerId: slot.record.containerId, commitSha: slot.record.commitSha, commitMessage: slot.record.commitMessage, runtime };
  }

  /** Starts the record's existing container and follows it; with its holder stopped or gone, a new pair on the same port. */
  private async attachAfterStart(slot: AppSlot): Promise<void> {
    slot.networkLost = false;
    if (slot.record.holderId && !(await this.holderRunning(slot.record.holderId))) {
      await this.recreate(slot);
      return;
    }
    await startContainer(this.engine, slot.record.containerId);
    slot.startedAt = Date.now();
    await this.attach(slot);
    this.setStatus(slot, "running");
  }

  /**
   * Whether a holder runs. One that stopped is not started again but replaced (recreate): the
   * engine may still be tearing its network down when the app's restart comes, and starting it
   * then fails (`runc start` exit status 1, seen on Podman 4.3 right after a SIGKILL).
   */
  private async holderRunning(id: string): Promise<boolean> {
    return (await inspectContainer(this.engine, id).catch(() => null))?.State.Running ?? false;
  }

  /**
   * The record's container is gone (removed by hand) or its holder stopped: a new container from the
   * same image on the same port, in the holder when it still runs, else in a new one on that port.
   */
  private async recreate(slot: AppSlot): Promise<void> {
    const r = slot.record;
    await removeContainer(this.engine, r.containerId, { force: true });
    if (!r.holderId || !(await this.holderRunning(r.holderId))) {
      if (r.holderId) await removeNetworkHolder(this.engine, r.holderId);
      r.holderId = (await this.holders.make(r.internalPort, r.port))?.id ?? null;
      await this.store.save(r);
    }
    const started = await runAppContainer(this.engine, {
      app: { appId: r.appId, deploymentId: r.deploymentId, workerName: this.options.workerName },
      image: r.image,
      name: `wh-${this.options.workerName}-${r.appId}-${r.deploymentId}-r${Date.now()}`,
      internalPort: r.internalPort,
      hostIp: this.hostIp,
      hostPort: r.port,
      networkOf: r.holderId,
      env: r.env,
      limits: { cpu: r.limits.cpu, memoryMb: r.limits.memoryMb, pids: r.limits.pids },
      readOnlyRootfs: r.readOnlyRootfs,
      stopGraceSeconds: this.grace,
    });
    r.containerId = started.id;
    r.logCursor = null;
    await this.store.save(r);
    slot.startedAt = Date.now();
    await this.attach(slot);
    this.setStatus(slot, "running");
  }

  /** Follows the container's logs (from the persisted cursor) and stats. */
  private async attach(slot: AppSlot): Promise<void> {
    this.detachSlot(slot);
    const id = slot.record.containerId;
    const appId = slot.record.appId;
    // Not awaited by the engine's answer (container-logs.ts says why): this runs on the app's lock.
    slot.logs = followContainerLogs(this.engine, id, {
      since: slot.record.logCursor,
      onLine: (line, cursor) => {
        slot.record.logCursor = cursor;
        this.options.events.log(appId, line.stream, line.line);
        this.persistCursor(slot);
      },
      onEnd: (err) => {
        if (err) this.options.log.warn({ err, appId }, "could not follow the container's logs");
      },
    });
    try {
      slot.stats = await watchContainerStats(this.engine, id, () => {});
    } catch (err) {
      this.options.log.warn({ err, appId }, "could not watch the container's stats");
    }
  }

  /** Writes the log cursor after a line, at most one write in flight (the newest cursor wins). */
  private persistCursor(slot: AppSlot): void {
    slot.cursorDirty = true;
    if (slot.cursorWrite) return;
    const loop = async () => {
      while (slot.cursorDirty) {
        slot.cursorDirty = false;
        if (this.slots.get(slot.record.appId) !== slot) return;
        await this.store.save(slot.record).catch(() => undefined);
      }
    };
    slot.cursorWrite = loop().finally(() => {
      slot.cursorWrite = null;
    });
  }

  private detachSlot(slot: AppSlot): void {
    slot.logs?.stop();
    slot.logs = null;
    slot.stats?.stop();
    slot.stats = null;
    slot.lastIo = null;
  }

  private clearRestart(slot: AppSlot): void {
    if (slot.restartTimer) clearTimeout(slot.restartTimer);
    slot.restartTimer = null;
  }

  private setStatus(slot: AppSlot, status: AppStatus, reason?: string, report = true): void {
    const changed = slot.status !== status || slot.reason !== reason;
    slot.status = status;
    slot.reason = reason;
    if (report && changed) this.options.events.appStatus(slot.record.appId, status, reason);
  }

  /** Stops the app's container; with a violation, the record keeps it until the next start. */
  private async stopSlot(slot: AppSlot, reason: string, violation: string | null): Promise<void> {
    this.clearRestart(slot);
    slot.record.desired = "stopped";
    slot.record.violation = violation;
    await this.store.save(slot.record);
    await stopContainer(this.engine, slot.record.containerId, this.grace);
    await slot.cursorWrite;
    this.detachSlot(slot);
    this.setStatus(slot, "stopped", violation ?? reason);
  }

  private async deleteApp(appId: number): Promise<void> {
    const slot = this.slots.get(appId);
    const holderId = slot?.record.holderId ?? null;
    if (slot) {
      this.clearRestart(slot);
      slot.record.desired = "stopped";
      this.detachSlot(slot);
      this.slots.delete(appId);
      await slot.cursorWrite;
    }
    const scope = { appId, workerName: this.options.workerName };
    for (const c of await listAppContainers(this.engine, scope)) await removeContainer(this.engine, c.id, { force: true });
    // A replaced container still draining keeps its holder until its retirement removes both.
    if (holderId) await removeNetworkHolder(this.engine, holderId);
    for (const image of await listAppImages(this.engine, scope)) {
      await removeImage(this.engine, image.Id, true);
      this.knownImages.forgetIds([image.Id]);
    }
    await this.store.remove(appId);
    // The spare for the app's port stays only while another app on the worker listens on that port.
    const port = slot?.record.internalPort;
    if (port !== undefined && ![...this.slots.values()].some((s) => s.record.internalPort === port)) await this.holders.drop(port);
  }

  /** Follows the engine's events; re-subscribes (and reconciles) when the stream ends. */
  private async watchEvents(): Promise<void> {
    if (this.closing) return;
    try {
      this.events = await watchContainerEvents(
        this.engine,
        { workerName: this.options.workerName, since: Date.now() },
        (event) => this.onEvent(event),
        () => {
          this.events = null;
          if (this.closing) return;
          setTimeout(() => {
            void this.watchEvents().then(() => this.reconcile());
          }, 1_000).unref();
        },
      );
    } catch (err) {
      this.options.log.warn({ err }, "could not follow the engine's events; retrying");
      setTimeout(() => void this.watchEvents().then(() => this.reconcile()), 5_000).unref();
    }
  }

  /** After the event stream was lost: a container that died meanwhile is handled as a crash. */
  private async reconcile(): Promise<void> {
    for (const slot of this.slots.values()) {
      if (slot.record.desired !== "running" || slot.status !== "running") continue;
      const info = await inspectContainer(this.engine, slot.record.containerId).catch(() => null);
      const holder = slot.record.holderId ? await inspectContainer(this.engine, slot.record.holderId).catch(() => null) : null;
      if (info?.State.Running && slot.record.holderId && !holder?.State.Running) this.onHolderDied(slot.record.holderId);
      else if (!info || !info.State.Running) this.onEvent({ action: "die", containerId: slot.record.containerId, name: null, app: { appId: slot.record.appId, deploymentId: slot.record.deploymentId, workerName: this.options.workerName }, exitCode: info?.State.ExitCode ?? null, time: Date.now() });
    }
  }

  private onEvent(event: ContainerEvent): void {
    if (event.action !== "die" && event.action !== "oom") return;
    if (!event.app) {
      if (event.action === "die") this.onHolderDied(event.containerId);
      return;
    }
    const slot = this.slots.get(event.app.appId);
    if (!slot || this.closing || slot.record.containerId !== event.containerId) return;
    if (event.action === "oom") return; // the `die` that follows carries the exit; containerExit reads the OOM kill
    void this.mutex.run(slot.record.appId, () => this.onDied(slot, event));
  }

  /**
   * A holder stopped under its running app (killed by hand, or the engine's network failed): the
   * app's port is gone with it, so the app is stopped and restarted like a crashed one, in a new
   * holder on the same port (attachAfterStart).
   */
  private onHolderDied(holderId: string): void {
    if (this.closing) return;
    const slot = [...this.slots.values()].find((s) => s.record.holderId === holderId);
    if (!slot) {
      this.holders.forget(holderId);
      return;
    }
    void this.mutex.run(slot.record.appId, async () => {
      if (this.closing || this.slots.get(slot.record.appId) !== slot || slot.record.holderId !== holderId || slot.record.desired !== "running") return;
      // Handled once: the engine can report a holder's death twice (its `die` event and the event
      // stream's reconcile), and the app is already stopped for the first.
      if (slot.networkLost) return;
      if (await this.holderRunning(holderId)) return; // started again meanwhile
      this.options.log.warn({ appId: slot.record.appId, holderId }, "the app's network holder stopped; restarting the app");
      slot.networkLost = true;
      await stopContainer(this.engine, slot.record.containerId, this.grace).catch(() => undefined);
    });
  }

  private async onDied(slot: AppSlot, event: ContainerEvent): Promise<void> {
    if (this.slots.get(slot.record.appId) !== slot || slot.record.desired !== "running" || slot.record.containerId !== event.containerId || this.closing) return;
    const exit = await containerExit(this.engine, event.containerId).catch(() => null);
    if (exit?.running) return; // restarted meanwhile
    await slot.cursorWrite;
    this.detachSlot(slot);
    const code = exit?.exitCode ?? event.exitCode;
    if (Date.now() - slot.startedAt > STABLE_RUN_MS) slot.crashes = 0;
    const delay = this.nextCrashDelay(slot);
    const restarting = `restarting in ${Math.round(delay / 100) / 10} s`;
    if (exit?.oomKilled) {
      // The engine holds the app to its memory limit in place, so an OOM kill is a violation
      // (shown on the app page) and a crash like any other: restarted with backoff, counted for the crash-loop alert.
      const why = `out of memory: the app went over the plan's memory limit of ${slot.record.limits.memoryMb} MiB and was killed`;
      this.options.events.violation(slot.record.appId, `${why}; ${restarting}`);
      this.setStatus(slot, "crashed", `${why} (exit code ${code ?? "unknown"}); ${restarting}`);
    } else if (slot.networkLost) {
      this.setStatus(slot, "crashed", `the container holding its network and port stopped, so the app was stopped; ${restarting}`);
    } else {
      this.setStatus(slot, "crashed", `exited with code ${code ?? "unknown"}${exit?.error ? `: ${exit.error}` : ""}; ${restarting}`);
    }
    this.restartAfter(slot, delay);
  }

  /** The crash backoff's next pause: doubled per crash in a row, up to the maximum. */
  private nextCrashDelay(slot: AppSlot): number {
    const delay = Math.min(this.options.crashBackoff.maxMs, this.options.crashBackoff.initialMs * 2 ** slot.crashes);
    slot.crashes++;
    return delay;
  }

  /** Restarts a crashed app after `delay`; a restart the engine refuses counts as one more crash and is tried again. */
  private restartAfter(slot: AppSlot, delay: number): void {
    this.clearRestart(slot);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      void this.mutex.run(slot.record.appId, async () => {
        if (this.closing || this.slots.get(slot.record.appId) !== slot || slot.record.desired !== "running") return;
        try {
          await this.attachAfterStart(slot);
        } catch (err) {
          this.options.log.warn({ err, appId: slot.record.appId }, "could not restart the crashed container; trying again after the crash backoff");
          const next = this.nextCrashDelay(slot);
          this.setStatus(slot, "crashed", `could not restart: ${(err as Error).message}; trying again in ${Math.round(next / 100) / 10} s`);
          this.restartAfter(slot, next);
        }
      });
    }, delay);
  }

  sampleUsage(): AppSample[] {
    const out: AppSample[] = [];
    for (const slot of this.slots.values()) {
      const s: ContainerStatsSample | null = slot.stats?.latest ?? null;
      if (!s || slot.status !== "running") continue;
      const io = s.blockReadBytes + s.blockWriteBytes;
      // The namespace's counters (the network holder's when the app joined one: network-holder.ts).
      const net = s.netRxBytes + s.netTxBytes;
      const last = slot.lastIo;
      const seconds = last && s.at > last.at ? (s.at - last.at) / 1000 : 0;
      const diskMbps = last && seconds ? Math.max(0, io - last.bytes) / 1e6 / seconds : 0;
      const netMbps = last && seconds ? (Math.max(0, net - last.netBytes) * 8) / 1e6 / seconds : 0;
      if (!last || s.at > last.at) slot.lastIo = { at: s.at, bytes: io, netBytes: net };
      out.push({
        appId: slot.record.appId,
        cpuPct: s.cpuPct,
        memBytes: s.memBytes,
        memLimitBytes: slot.record.limits.memoryMb * 1024 * 1024,
        diskMbps: Math.round(diskMbps * 100) / 100,
        processCount: s.pids,
        netMbps: Math.round(netMbps * 1000) / 1000,
        netTotalBytes: net,
      });
    }
    return out;
  }

  diskUsedMb(): number {
    let bytes = 0;
    for (const slot of this.slots.values()) bytes += slot.diskBytes;
    return Math.round(bytes / 1048576);
  }

  /**
   * The writable layer of each running container against the plan's disk limit. An app over it is
   * stopped on its lock, after the job of the app that may hold it: measuring the other apps does
   * not wait for that, a check meanwhile does not queue a second stop, and a container the job
   * replaced or stopped in between is left alone (stopOverDisk).
   */
  async checkDisk(): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const slot of [...this.slots.values()]) {
      const appId = slot.record.appId;
      if (this.closing) break;
      if (slot.status !== "running" || this.diskStops.has(appId)) continue;
      const containerId = slot.record.containerId;
      const info = await inspectContainer(this.engine, containerId, { size: true }).catch(() => null);
      if (!info) continue;
      slot.diskBytes = info.SizeRw ?? 0;
      if (slot.diskBytes <= slot.record.limits.diskMb * 1024 * 1024) continue;
      this.diskStops.add(appId);
      stops.push(this.mutex.run(appId, () => this.stopOverDisk(slot, containerId)).finally(() => this.diskStops.delete(appId)));
    }
    await Promise.all(stops);
  }

  /** Stops an app measured over its disk limit, if the container measured is still the one it runs. */
  private async stopOverDisk(slot: AppSlot, containerId: string): Promise<void> {
    const r = slot.record;
    if (this.closing || this.slots.get(r.appId) !== slot || r.containerId !== containerId || r.desired !== "running" || slot.status !== "running") return;
    const why = diskViolationMessage(slot.diskBytes, r.limits.diskMb);
    this.options.events.violation(r.appId, why);
    await this.stopSlot(slot, why, why);
  }

  async shutdown(stopApps: boolean): Promise<void> {
    this.closing = true;
    for (const build of this.builds) build.abort();
    this.orphanBuilds?.stop();
    this.events?.stop();
    this.events = null;
    // Replaced containers still draining are retired now: no record names them, so none would be
    // adopted (init removes such containers), and with the agent gone nothing routes to them.
    const draining = [...this.draining];
    this.draining.clear();
    for (const [timer] of draining) clearTimeout(timer);
    await Promise.all(draining.map(([, retire]) => retire()));
    await this.holders.close();
    await Promise.all(
      [...this.slots.values()].map((slot) =>
        this.mutex.run(slot.record.appId, async () => {
          this.clearRestart(slot);
          await slot.cursorWrite;
          this.detachSlot(slot);
          // The cursor as of the last delivered line, for the next run to resume after.
          await this.store.save(slot.record).catch(() => undefined);
          if (stopApps) {
            await stopContainer(this.engine, slot.record.containerId, this.grace).catch(() => undefined);
            if (slot.record.holderId) await stopNetworkHolder(this.engine, slot.record.holderId).catch(() => undefined);
          }
        }),
      ),
    );
  }

  private slotFor(record: ContainerAppRecord): AppSlot {
    const slot: AppSlot = {
      record,
      status: record.desired === "running" ? "running" : "stopped",
      logs: null,
      stats: null,
      lastIo: null,
      startedAt: Date.now(),
      crashes: 0,
      restartTimer: null,
      cursorWrite: null,
      cursorDirty: false,
      diskBytes: 0,
      networkLost: false,
    };
    this.slots.set(record.appId, slot);
    return slot;
  }
}
