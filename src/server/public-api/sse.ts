import { toApiError } from "./api-errors";

/** One server-sent event: its name, a JSON payload and, where the stream can resume from it, an id. */
export interface SseEvent {
  event: string;
  data: unknown;
  /** Sent as `id:`; a client reconnecting sends the last one back as Last-Event-ID. */
  id?: string;
}

const HEARTBEAT_MS = 15_000;

/**
 * A text/event-stream response fed by `events`: `event: <name>` and one `data:` JSON line per
 * event, a comment every 15 s so proxies keep the connection, and the stream closed when the
 * generator returns or the client goes away (`signal`).
 */
export function sseResponse(signal: AbortSignal, events: AsyncGenerator<SseEvent>): Response {
  const encoder = new TextEncoder();
  let heartbeat: NodeJS.Timeout | undefined;
  const stop = () => {
    clearInterval(heartbeat);
    void events.return(undefined);
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The client went away between two events.
        }
      };
      heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      signal.addEventListener("abort", stop, { once: true });
      try {
        for await (const e of events) send(`${e.id ? `id: ${e.id}\n` : ""}event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      } catch (err) {
        const e = toApiError(err);
        send(`event: error\ndata: ${JSON.stringify({ code: e.code, message: e.message })}\n\n`);
      } finally {
        clearInterval(heartbeat);
        signal.removeEventListener("abort", stop);
        try {
          controller.close();
        } catch {
          // Already closed by a cancel.
        }
      }
    },
    cancel: stop,
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
}

/** Splits streamed text into whole lines, keeping a partial last line until more arrives or flush(). */
export function lineSplitter() {
  let partial = "";
  return {
    push(chunk: string): string[] {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      return parts;
    },
    flush(): string[] {
      const rest = partial;
      partial = "";
      return rest ? [rest] : [];
    },
  };
}
