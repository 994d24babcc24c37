import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";
import type { ApiClient } from "./api-client";
import { CliError, EXIT, type ExitCode } from "./errors";

const EXIT_FOR_CODE: Record<string, ExitCode> = { UNAUTHORIZED: EXIT.unauthorized, FORBIDDEN: EXIT.forbidden, NOT_FOUND: EXIT.notFound };

export interface FollowOptions {
  scope: string;
  notFound?: string;
  signal?: AbortSignal;
  /** Called for every event; answering "stop" closes the stream and ends the follow. */
  /** Called each time a connection opens (a reconnect may replay what was already seen). */
  onOpen?(): void;
  onEvent(message: EventSourceMessage): "stop" | void | Promise<"stop" | void>;
  /**
   * The stream ended or broke without onEvent stopping it. Answer true to reconnect (with the
   * last event id, so the server can resume) or false to end the follow.
   */
  onDrop(error: unknown): boolean | Promise<boolean>;
  /** Told what the follow is waiting for (a rate limit), for stderr. */
  notice?(text: string): void;
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF_MS = [500, 1_000, 2_000, 5_000];
/** About a minute of the server not answering at all ends the follow with the connection error. */
const MAX_FAILED_RECONNECTS = 14;
/** A token rate limited this many times in a row ends the follow with the server's message. */
const MAX_RATE_LIMITED_RECONNECTS = 5;
/** Longer Retry-After waits are not sat out: the follow ends and says when to try again. */
const MAX_RATE_LIMIT_WAIT_S = 60;

/** Follows a server-sent event stream of /api/v1 (docs/api.md), reconnecting the way EventSource does. */
export async function followEvents(client: ApiClient, path: string, options: FollowOptions): Promise<void> {
  // Ctrl-C during a wait ends it at once: the loop then sees the abort and returns.
  const sleep =
    options.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        options.signal?.addEventListener("abort", wake, { once: true });
      }));
  let lastEventId: string | undefined;
  for (let drops = 0, limited = 0; ; ) {
    let failure: unknown;
    try {
      const res = await client.openStream(path, { scope: options.scope, notFound: options.notFound, lastEventId, signal: options.signal });
      drops = 0;
      limited = 0;
      options.onOpen?.();
      const reader = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
      for (;;) {
        const { done, value: message } = await reader.read();
        if (done) break;
        if (message.id) lastEventId = message.id;
        // The server ends a stream with an `error` event when it stops it (a revoked token, a removed member).
        if (message.event === "error") throw streamError(message.data);
        if ((await options.onEvent(message)) === "stop") {
          await reader.cancel().catch(() => undefined);
          return;
        }
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      // A 429 did nothing: reconnect once Retry-After has passed (with the last event id, so no
      // line is lost or repeated), unless the token stays limited or the wait is too long.
      const wait = err instanceof CliError && err.code === "RATE_LIMITED" ? err.retryAfterSeconds : undefined;
      if (wait !== undefined && wait <= MAX_RATE_LIMIT_WAIT_S && ++limited < MAX_RATE_LIMITED_RECONNECTS) {
        options.notice?.(`The server is rate limiting this token; reconnecting in ${Math.max(wait, 1)} s.`);
        await sleep(Math.max(wait, 1) * 1000);
        continue;
      }
      // A refusal (token, scope, not found) will not get better by retrying.
      if (err instanceof CliError && err.code !== "UNREACHABLE" && err.code !== "TIMEOUT" && err.code !== "INTERNAL" && err.code !== "UNAVAILABLE") throw err;
      failure = err;
    }
    if (failure && drops >= MAX_FAILED_RECONNECTS) throw failure;
    if (options.signal?.aborted || !(await options.onDrop(failure))) return;
    await sleep(BACKOFF_MS[Math.min(drops++, BACKOFF_MS.length - 1)]!);
  }
}

/** An event's data as JSON, or undefined when it is not JSON (the caller's schema then refuses it). */
export function eventJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function streamError(data: string): CliError {
  const body = eventJson(data) as { code?: unknown; message?: unknown } | undefined;
  const code = typeof body?.code === "string" ? body.code : "INTERNAL";
  const message = typeof body?.message === "string" ? body.message : "The server stopped the stream.";
  return new CliError(message, EXIT_FOR_CODE[code] ?? EXIT.failed, code);
}
