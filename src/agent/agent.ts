import { hashApiKeyBytes } from "../protocol/api-key";
import type { AgentConfig } from "./config/agent-config";
import { HubLink } from "./connection/hub-link";
import { TokenKeeper } from "./connection/token-keeper";
import { FatalAuthError, WorkerIdentity } from "./connection/worker-identity";
import { JobJournal } from "./jobs/job-journal";
import { JobRunner } from "./jobs/job-runner";
import type { AgentLogger } from "./logger";
import type { HubFrame } from "../protocol/hub-messages";
import { LogBudget } from "./reporting/log-budget";
import { RuntimeLogShipper } from "./reporting/runtime-log-shipper";
import { UsageReporter } from "./reporting/usage-reporter";
import { ProcessRuntime } from "./runtime/process/process-runtime";
import { acquireInstanceLock } from "./state/instance-lock";
import { ensurePrivateDir } from "./state/private-file";
import { Backoff } from "./timing/backoff";

export interface RunningAgent {
  stop(): Promise<void>;
}

/** Wires identity, the hub link, the runtime and the reporters together, and starts them. */
/**
 * Returns null when `abort` fired before the hub could be reached (the runtime is then already
 * shut down as configured).
 */
export async function startAgent(
  config: AgentConfig,
  log: AgentLogger,
  options: { onFatal?: (reason: string) => void; abort?: AbortSignal } = {},
): Promise<RunningAgent | null> {
  const onFatal = options.onFatal ?? (() => undefined);
  await ensurePrivateDir(config.stateDir);
  const unlock = await acquireInstanceLock(config.stateDir);

  // Late-bound: the runtime reports through the link, which needs the identity first.
  let link: HubLink | null = null;
  let shipper: RuntimeLogShipper | null = null;
  const runtime = new ProcessRuntime({
    stateDir: config.stateDir,
    allowLocalRepos: config.allowLocalRepos,
    buildTimeoutMs: config.buildTimeoutSeconds * 1000,
    startTimeoutMs: config.startTimeoutSeconds * 1000,
    crashBackoff: { initialMs: config.crashBackoffInitialSeconds * 1000, maxMs: config.crashBackoffMaxSeconds * 1000 },
    log: log.child({ part: "runtime" }),
    events: {
      appStatus: (appId, status, reason) => link?.send("app_status", { app_id: appId, status, ...(reason ? { reason } : {}) }, { reliable: true }),
      violation: (appId, reason) => link?.send("violation", { app_id: appId, reason }, { reliable: true }),
      log: (appId, stream, line) => shipper?.add(appId, stream, line),
    },
  });
  // Apps come back (or are re-attached) even while the hub is unreachable.
  await runtime.init();
  const journal = new JobJournal(config.stateDir);
  await journal.load();

  const identity = new WorkerIdentity(config, log.child({ part: "identity" }));
  const retry = new Backoff({ initialMs: 1_000, maxMs: 30_000, jitter: 0.5 });
  let token;
  for (;;) {
    if (options.abort?.aborted) {
      await runtime.shutdown(config.stopAppsOnExit);
      await unlock();
      return null;
    }
    try {
      token = await identity.establish();
      break;
    } catch (err) {
      if (err instanceof FatalAuthError) {
        await runtime.shutdown(false);
        await unlock();
        throw err;
      }
      const delay = retry.next();
      log.warn({ err: (err as Error).message, retryInMs: delay }, "cannot reach the hub to register; retrying");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        options.abort?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  if (options.abort?.aborted) {
    await runtime.shutdown(config.stopAppsOnExit);
    await unlock();
    return null;
  }

  const tokens = new TokenKeeper(identity, log.child({ part: "token" }));
  tokens.start(token!);
  tokens.onFatal = onFatal;
  const key = hashApiKeyBytes(identity.apiKey);
  let reporter: UsageReporter | null = null;
  let jobs: JobRunner | null = null;
  link = new HubLink(HubLink.wsUrlFor(config.hubUrl), key, tokens, {
    onConnected: () => {
      // The hub may have marked our apps stopped while we were away: tell it the truth.
      for (const app of runtime.appStates()) {
        // A violation was reported when it happened; a `stopped` now would overwrite it.
        if (app.violation) continue;
        link!.send("app_status", { app_id: app.appId, status: app.status, ...(app.reason ? { reason: app.reason } : {}) }, { reliable: true });
      }
      reporter?.sendHeartbeat();
    },
    onFatal,
    onMessage: (message: HubFrame) => {
      switch (message.type) {
        case "welcome":
          log.info({ workerId: message.data.worker_id }, "hub welcomed this worker");
          return;
        case "job":
          jobs?.handle(message.data, message.seq);
          return;
        case "error":
          log.warn({ code: message.data.code, message: message.data.message, re: message.re }, "hub reported an error about one of our frames");
      }
    },
  }, log.child({ part: "link" }));
  const logBudget = new LogBudget();
  shipper = new RuntimeLogShipper(link, logBudget);
  reporter = new UsageReporter(runtime, link, log.child({ part: "usage" }), {
    heartbeatMs: config.heartbeatSeconds * 1000,
    statsMs: config.statsSeconds * 1000,
    diskMs: config.diskCheckSeconds * 1000,
  });
  jobs = new JobRunner(runtime, link, journal, log.child({ part: "jobs" }), logBudget);
  shipper.start();
  reporter.start();
  link.start();
  log.info({ hub: config.hubUrl, name: config.name, stateDir: config.stateDir }, "agent started");

  return {
    async stop() {
      reporter?.stop();
      shipper?.stop();
      tokens.stop();
      await link?.stop();
      await runtime.shutdown(config.stopAppsOnExit);
      await unlock();
      log.info({ appsStopped: config.stopAppsOnExit }, "agent stopped");
    },
  };
}
