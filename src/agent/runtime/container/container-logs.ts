import type { Readable } from "node:stream";
import { cleanLogLine } from "../line-splitter";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";
import { LogResume, sinceParam, type LogCursor } from "./log-cursor";

export interface ContainerLogLine {
  stream: "stdout" | "stderr";
  /** The engine's timestamp of the line (RFC 3339). */
  time: string;
  line: string;
}

export interface FollowLogsOptions {
  /** Resume after this cursor (log-cursor.ts); null: from the container's first line. */
  since?: LogCursor | null;
  /** Each new line, with the cursor that now points at it (persist it to resume after a restart). */
  onLine: (line: ContainerLogLine, cursor: LogCursor) => void;
  /** The stream ended: the container stopped, the engine went away, or stop() was called. */
  onEnd?: (error: Error | null) => void;
}

export interface LogFollower {
  /** The last line delivered, or the starting cursor. */
  readonly cursor: LogCursor | null;
  stop(): void;
}

/**
 * Splits the Engine API's multiplexed log stream: frames of an 8-byte header (stream 1 = stdout,
 * 2 = stderr, then a big-endian length) and a payload of "<timestamp> <text>". A payload that
 * does not end in a newline is part of a long line, continued by the next frame of that stream.
 */
class LogFrames {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly partial: Record<"stdout" | "stderr", { time: string; text: string } | null> = { stdout: null, stderr: null };

  constructor(private readonly emit: (stream: "stdout" | "stderr", time: string, text: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const kind = this.buffer[0];
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) return;
      const payload = this.buffer.subarray(8, 8 + size).toString("utf8");
      this.buffer = this.buffer.subarray(8 + size);
      if (kind === 1 || kind === 2) this.payload(kind === 1 ? "stdout" : "stderr", payload);
    }
  }

  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const p = this.partial[stream];
      if (p) this.emit(stream, p.time, p.text);
      this.partial[stream] = null;
    }
  }

  private payload(stream: "stdout" | "stderr", payload: string): void {
    const pieces = payload.split("\n");
    const complete = pieces.pop() === "";
    if (!complete) pieces.push(payload.slice(payload.lastIndexOf("\n") + 1));
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1;
      const space = piece.indexOf(" ");
      const time = space > 0 ? piece.slice(0, space) : piece;
      const text = space > 0 ? piece.slice(space + 1) : "";
      const pending = this.partial[stream];
      // A continuation frame carries its own timestamp; the line keeps the first one.
      const whole = pending ? { time: pending.time, text: pending.text + text } : { time, text };
      if (last && !complete) {
        this.partial[stream] = whole;
        return;
      }
      this.partial[stream] = null;
      this.emit(stream, whole.time, whole.text);
    });
  }
}

/**
 * Follows a container's stdout and stderr with timestamps, from a cursor (or the beginning).
 * Lines are cleaned as the process runtime's are (no ANSI, at most 8 KiB).
 *
 * Returns as soon as the request is sent, not when the engine answers: Podman 4.3 sends the
 * response headers of a followed log only with the container's first line, so an app that writes
 * nothing would keep a caller waiting for as long as it runs (the container runtime attaches on
 * the app's lock, and every later job of the app would wait behind it). A refused request (no
 * such container, engine gone) ends the follower through `onEnd` with the error.
 */
export function followContainerLogs(engine: Engine, id: string, options: FollowLogsOptions): LogFollower {
  let resume = new LogResume(options.since ?? null);
  const controller = new AbortController();

  let ended = false;
  const deliver = (s: "stdout" | "stderr", time: string, text: string) => {
    if (ended || !resume.accept(time) || !resume.cursor) return;
    options.onLine({ stream: s, time, line: cleanLogLine(text) }, { ...resume.cursor });
  };
  const frames = new LogFrames(deliver);
  const end = (error: Error | null) => {
    if (ended) return;
    frames.flush();
    ended = true;
    options.onEnd?.(error);
  };
  let finishing = false;
  /**
   * The engine ended the stream (the container stopped). Podman 4.3 can end a followed log as the
   * container exits before it has sent the last lines (tests/container/observe.test.ts saw an
   * app's "got SIGTERM, closing" missing), and an app's last lines are often why it stopped: read
   * once more, without following, from the cursor, then end.
   */
  const finish = () => {
    if (ended || finishing) return;
    finishing = true;
    frames.flush();
    resume = new LogResume(resume.cursor);
    readRemaining(engine, id, resume.cursor, AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]), deliver)
      .catch(() => undefined)
      .finally(() => end(null));
  };
  void requestLogs(engine, id, { follow: true, since: options.since ?? null, signal: controller.signal }).then(
    (answer) => {
      const stream = answer;
      // Stopped just as the engine answered: the follower has ended already.
      if (ended) {
        stream.destroy();
        return;
      }
      stream.on("data", (chunk: Buffer) => frames.push(chunk));
      stream.once("end", finish);
      stream.once("close", finish);
      stream.once("error", (err: Error) => end(controller.signal.aborted ? null : err));
    },
    (err: Error) => end(controller.signal.aborted ? null : err),
  );
  return {
    get cursor() {
      return resume.cursor ? { ...resume.cursor } : null;
    },
    stop: () => {
      controller.abort();
      end(null);
    },
  };
}

/** The engine's log stream of a container (timestamped stdout and stderr), after `since` when given. */
function requestLogs(engine: Engine, id: string, request: { follow: boolean; since: LogCursor | null; signal: AbortSignal }): Promise<Readable> {
  const query: Record<string, string | number | boolean> = { follow: request.follow, stdout: true, stderr: true, timestamps: true };
  const since = request.since ? sinceParam(request.since) : null;
  if (since) query.since = since;
  return engineCall(engine.docker, {
    path: `/containers/${encodeURIComponent(id)}/logs?`,
    method: "GET",
    options: query,
    isStream: true,
    abortSignal: request.signal,
    statusCodes: { 200: true, 404: "no such container" },
  }) as Promise<Readable>;
}

/** The container's lines after `cursor` as the engine has them now, without following. */
async function readRemaining(
  engine: Engine,
  id: string,
  cursor: LogCursor | null,
  signal: AbortSignal,
  deliver: (stream: "stdout" | "stderr", time: string, text: string) => void,
): Promise<void> {
  const stream = await requestLogs(engine, id, { follow: false, since: cursor, signal });
  const frames = new LogFrames(deliver);
  for await (const chunk of stream) frames.push(chunk as Buffer);
  frames.flush();
}
