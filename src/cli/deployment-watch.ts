import { setTimeout as sleep } from "node:timers/promises";
import { deploymentBodySchema, isFinished, logLineSchema, logLinesSchema, type Deployment, type LogLine } from "./api-types";
import type { Context } from "./context";
import { EXIT, type ExitCode } from "./errors";
import { eventJson, followEvents } from "./event-stream";
import { formatLogLine } from "./output";

const PROGRESS_POLL_MS = 2_000;

/**
 * Follows one deployment to its end: the build log from the SSE stream
 * (`/deployments/{id}/logs?follow=1`, docs/api.md) and its status and progress from
 * `/deployments/{id}`, printed as they change. Answers the finished deployment.
 */
export async function watchDeployment(ctx: Context, started: Deployment, signal: AbortSignal): Promise<Deployment> {
  const client = ctx.client();
  const path = `/deployments/${encodeURIComponent(String(started.id))}`;
  const fetchDeployment = async () => (await client.request(path, { schema: deploymentBodySchema, scope: "apps:read" })).deployment;
  let current = started;
  let shown = "";
  const showProgress = (d: Deployment) => {
    const text = `${d.status}${typeof d.progress === "number" && !isFinished(d.status) ? ` ${Math.round(d.progress)}%` : ""}`;
    if (text !== shown) ctx.out.info(`» deployment #${d.number}: ${text}`);
    shown = text;
  };
  showProgress(current);

  const stopPolling = new AbortController();
  const poller = (async () => {
    while (!stopPolling.signal.aborted && !signal.aborted && !isFinished(current.status)) {
      await sleep(PROGRESS_POLL_MS, undefined, { signal: stopPolling.signal }).catch(() => undefined);
      if (stopPolling.signal.aborted || signal.aborted) return;
      // A failed poll is not the end of the deployment: the log stream decides that.
      const next = await fetchDeployment().catch(() => null);
      if (next) {
        current = next;
        showProgress(current);
      }
    }
  })();

  // Without event ids the server cannot resume, so a reconnect replays the log: skip what was printed.
  let printed = 0;
  let seenThisConnection = 0;
  let resumable = false;
  let ended = false;
  const print = (line: LogLine) => {
    printed++;
    const text = formatLogLine(line);
    if (ctx.out.json) ctx.out.info(text);
    else ctx.out.item(line, () => text);
  };
  try {
    await followEvents(client, `${path}/logs?follow=1`, {
      scope: "logs:read",
      signal,
      notice: (text) => ctx.out.info(text),
      onOpen: () => {
        seenThisConnection = 0;
      },
      onEvent: (message) => {
        if (message.id) resumable = true;
        if (message.event === "end") {
          ended = true;
          return "stop";
        }
        if (message.event !== "line") return;
        const parsed = logLineSchema.safeParse(eventJson(message.data));
        if (!parsed.success) return;
        seenThisConnection++;
        if (!resumable && seenThisConnection <= printed) return;
        print(parsed.data);
      },
      onDrop: async () => {
        current = await fetchDeployment();
        return !isFinished(current.status);
      },
    });
  } finally {
    stopPolling.abort();
    await poller;
  }
  if (signal.aborted) return current;
  if (!ended) {
    // The stream broke after the deployment finished: the stored log has the lines it did not send.
    const stored = await client.request(`${path}/logs`, { schema: logLinesSchema, scope: "logs:read" }).catch(() => null);
    stored?.lines.slice(printed).forEach(print);
  }
  // The stream's `end` event carries only the status; the deployment itself has the error text.
  current = await fetchDeployment();
  if (!isFinished(current.status)) current = await waitUntilFinished(fetchDeployment, signal);
  showProgress(current);
  return current;
}

/** The stream ended before the row did (the end event may race the final write): poll briefly. */
async function waitUntilFinished(fetchDeployment: () => Promise<Deployment>, signal: AbortSignal): Promise<Deployment> {
  for (;;) {
    await sleep(1_000);
    const d = await fetchDeployment();
    if (isFinished(d.status) || signal.aborted) return d;
  }
}

/** The exit code and the closing line for a finished deployment (docs/cli.md). */
export function deploymentOutcome(d: Deployment, app: string): { exitCode: ExitCode; message: string } {
  if (d.status === "succeeded") return { exitCode: EXIT.ok, message: `Deployment #${d.number} succeeded.` };
  if (d.status === "cancelled") return { exitCode: EXIT.cancelled, message: `Deployment #${d.number} was cancelled.` };
  if (d.status === "failed") {
    return { exitCode: EXIT.failed, message: `Deployment #${d.number} failed${d.error ? `: ${d.error}` : ""}. The build log is above; fix the app and run wh deploy ${app} --wait again.` };
  }
  return { exitCode: EXIT.failed, message: `Stopped watching deployment #${d.number} (${d.status}); it goes on on the platform: wh status ${app}.` };
}
