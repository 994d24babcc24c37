import { z } from "zod";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";
import { readJsonLines } from "./json-lines";
import { LABELS, NETWORK_ROLE, parseAppLabels, type AppRef } from "./labels";

/** One GET /events message about a container (Docker and Podman's compatible service agree on these fields). */
const eventSchema = z.object({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).nullish() }),
  time: z.number().optional(),
  timeNano: z.number().optional(),
});

export interface ContainerEvent {
  /** start, die, oom, stop, kill, … (Docker's names; Podman's service maps its own to them). */
  action: string;
  containerId: string;
  name: string | null;
  /** The app the container runs, from its labels; null for a network holder of the worker (network-holder.ts). */
  app: AppRef | null;
  /** For `die`: the exit code the engine attached. */
  exitCode: number | null;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface EventWatcher {
  stop(): void;
}

/** The actions crash detection needs: a container of ours started, died or ran out of memory. */
export const CRASH_ACTIONS = ["start", "die", "oom"];

/**
 * Follows the engine's event stream for this worker's app containers and network holders. Only the `type` filter
 * goes to the engine: Podman 4.3's service returns nothing for a label filter or for two event
 * names (and knows `die` only as `died`), so actions and labels are matched here. `onEnd` fires when the stream ends (the engine stopped or restarted);
 * the caller re-subscribes and reconciles with a container listing.
 */
export async function watchContainerEvents(
  engine: Engine,
  options: { workerName: string; actions?: string[]; since?: number },
  onEvent: (event: ContainerEvent) => void,
  onEnd?: (error: Error | null) => void,
): Promise<EventWatcher> {
  const actions = options.actions ?? CRASH_ACTIONS;
  const controller = new AbortController();
  const query: Record<string, string | number> = {
    filters: JSON.stringify({ type: ["container"] }),
  };
  if (options.since !== undefined) query.since = Math.floor(options.since / 1000);
  const stream = (await engineCall(engine.docker, {
    path: "/events?",
    method: "GET",
    options: query,
    isStream: true,
    abortSignal: controller.signal,
  })) as NodeJS.ReadableStream;

  readJsonLines(stream, eventSchema, (event) => {
    if (event.Type !== "container" || !actions.includes(event.Action)) return;
    const attributes = event.Actor.Attributes ?? {};
    const app = parseAppLabels(attributes);
    const holder = attributes[LABELS.role] === NETWORK_ROLE && attributes[LABELS.managed] === "true" && attributes[LABELS.worker] === options.workerName;
    if (!holder && (!app || app.workerName !== options.workerName)) return;
    const exit = attributes.exitCode ?? attributes.containerExitCode;
    onEvent({
      action: event.Action,
      containerId: event.Actor.ID,
      name: attributes.name ?? null,
      app: holder ? null : app,
      exitCode: event.Action === "die" && exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : null,
      time: event.timeNano ? Math.floor(event.timeNano / 1e6) : (event.time ?? 0) * 1000,
    });
  });
  let ended = false;
  const end = (error: Error | null) => {
    if (ended) return;
    ended = true;
    onEnd?.(error);
  };
  stream.once("end", () => end(null));
  stream.once("close", () => end(null));
  stream.once("error", (err: Error) => end(controller.signal.aborted ? null : err));
  return {
    stop: () => {
      controller.abort();
      end(null);
    },
  };
}
