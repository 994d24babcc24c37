import { hashApiKeyBytes } from "../protocol/api-key";
import type { HubFrame } from "../protocol/hub-messages";
import type { AgentConfig } from "./config/agent-config";
import type { IssuedToken } from "./connection/hub-http";
import { HubLink, type HubLinkHandlers } from "./connection/hub-link";
import { TokenKeeper } from "./connection/token-keeper";
import { Uplink } from "./connection/uplink";
import { FatalAuthError, WorkerIdentity } from "./connection/worker-identity";
import { JobJournal } from "./jobs/job-journal";
import { JobRunner } from "./jobs/job-runner";
import type { AgentLogger } from "./logger";
import { LogBudget } from "./reporting/log-budget";
import { RuntimeLogShipper } from "./reporting/runtime-log-shipper";
import { reportAppStates, runtimeEventsToHub } from "./reporting/runtime-events-to-hub";
import { UsageReporter } from "./reporting/usage-reporter";
import { createRuntime } from "./runtime/create-runtime";
import { acquireInstanceLock } from "./state/instance-lock";
import { ensurePrivateDir } from "./state/private-file";
import { Backoff } from "./timing/backoff";

export interface RunningAgent {
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The hub will never take this agent back (key refused, replaced, rotated). */
  onFatal?: (reason: string) => void;
  /** Fired before the hub could be reached: shut down instead of connecting. */
  abort?: AbortSignal;
}

type Step = () => unknown;

/**
 * Builds the agent, brings its apps back, registers with the hub (retrying until it answers),
 * connects and starts reporting. Returns null when `abort` fired before the hub could be
 * reached (the runtime is then already shut down as configured); throws FatalAuthError when the
 * hub refuses this worker for good (apps are left running).
 */
export async function startAgent(config: AgentConfig, log: AgentLogger, options: StartOptions = {}): Promise<RunningAgent | null> {
  const onFatal = options.onFatal ?? (() => undefined);

  // Build: everything local, in dependency order. Nothing here needs the hub: what the runtime
  // reports before the first connection waits in the uplink.
  await ensurePrivateDir(config.stateDir);
  const unlock = await acquireInstanceLock(config.stateDir);
  const parts = buildAgent(config, log);
  // Apps come back (or are re-attached) even while the hub is unreachable.
  await parts.runtime.init();
  await parts.journal.load();
  // Jobs the previous run died in the middle of end now; its last results go out again.
  await parts.jobs.failInterrupted();
  const beforeHub = (stopApps: boolean): Step[] => [() => parts.runtime.shutdown(stopApps), unlock];

  let token: IssuedToken | null;
  try {
    token = await establishIdentity(parts.identity, log, options.abort);
  } catch (err) {
    if (err instanceof FatalAuthError) await runInOrder(beforeHub(false));
    throw err;
  }
  if (!token) {
    await runInOrder(beforeHub(config.stopAppsOnExit));
    return null;
  }

  // Connect: the link signs with the key the registration settled on.
  const tokens = new TokenKeeper(parts.identity, log.child({ part: "token" }), { onFatal });
  const link = new HubLink({
    hubUrl: config.hubUrl,
    key: hashApiKeyBytes(parts.identity.apiKey),
    tokens,
    uplink: parts.uplink,
    handlers: routes(parts, log, onFatal),
    log: log.child({ part: "link" }),
  });

  // Start.
  tokens.start(token);
  parts.shipper.start();
  parts.reporter.start();
  link.start();
  log.info({ hub: config.hubUrl, name: config.name, stateDir: config.stateDir }, "agent started");

  // Shutdown, in this order: stop reporting, stop (or leave) the apps, flush the log lines, close
  // the link, release the state directory. The apps go before the flush: stopping them reads what
  // their log files still hold (the process runtime polls them every 250 ms), so the lines an app
  // wrote just before a Ctrl-C reach the hub (tests/faults/ctrl-c-under-load.test.ts). Nothing is
  // reported for apps the agent stops on its way out.
  const shutdown: Step[] = [
    () => parts.reporter.stop(),
    () => parts.runtime.shutdown(config.stopAppsOnExit),
    () => parts.shipper.stop(),
    () => tokens.stop(),
    () => link.stop(),
    unlock,
  ];
  return {
    async stop() {
      await runInOrder(shutdown);
      log.info({ appsStopped: config.stopAppsOnExit }, "agent stopped");
    },
  };
}

type AgentParts = ReturnType<typeof buildAgent>;

/** The agent's parts, each given what it talks to when it is built. */
function buildAgent(config: AgentConfig, log: AgentLogger) {
  const uplink = new Uplink(log.child({ part: "link" }));
  const logBudget = new LogBudget();
  const shipper = new RuntimeLogShipper(uplink, logBudget);
  const runtime = createRuntime(config, runtimeEventsToHub(uplink, shipper), log.child({ part: "runtime" }));
  const journal = new JobJournal(config.stateDir);
  const reporter = new UsageReporter(runtime, uplink, log.child({ part: "usage" }), {
    heartbeatMs: config.heartbeatSeconds * 1000,
    statsMs: config.statsSeconds * 1000,
    diskMs: config.diskCheckSeconds * 1000,
  });
  const jobs = new JobRunner(runtime, uplink, journal, log.child({ part: "jobs" }), logBudget);
  const identity = new WorkerIdentity(config, log.child({ part: "identity" }));
  return { uplink, shipper, runtime, journal, reporter, jobs, identity };
}

/** What the agent does on each (re)connect and with each verified hub frame. */
function routes(parts: AgentParts, log: AgentLogger, onFatal: (reason: string) => void): HubLinkHandlers {
  return {
    onConnected: () => {
      reportAppStates(parts.uplink, parts.runtime);
      parts.reporter.sendHeartbeat();
    },
    onFatal,
    onMessage: (message: HubFrame) => {
      switch (message.type) {
        case "welcome":
          log.info({ workerId: message.data.worker_id }, "hub welcomed this worker");
          return;
        case "job":
          parts.jobs.handle(message.data, message.seq);
          return;
        case "cancel":
          parts.jobs.cancel(message.data.job_id, message.data.reason);
          return;
        case "error":
          log.warn({ code: message.data.code, message: message.data.message, re: message.re }, "hub reported an error about one of our frames");
      }
    },
  };
}

/**
 * Registers (or reuses the registration) and returns the first JWT, retrying with backoff while
 * the hub is unreachable; null when `abort` fires first. A FatalAuthError (the operator must act)
 * is thrown.
 */
async function establishIdentity(identity: WorkerIdentity, log: AgentLogger, abort: AbortSignal | undefined): Promise<IssuedToken | null> {
  const retry = new Backoff({ initialMs: 1_000, maxMs: 30_000, jitter: 0.5 });
  while (!abort?.aborted) {
    try {
      const token = await identity.establish();
      return abort?.aborted ? null : token;
    } catch (err) {
      if (err instanceof FatalAuthError) throw err;
      const delay = retry.next();
      log.warn({ err: (err as Error).message, retryInMs: delay }, "cannot reach the hub to register; retrying");
      await sleep(delay, abort);
    }
  }
  return null;
}

/** Resolves after `ms`, or at once when `abort` fires. */
function sleep(ms: number, abort: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    abort?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

async function runInOrder(steps: Step[]): Promise<void> {
  for (const step of steps) await step();
}
