import type { z } from "zod";
import { LineSplitter } from "../line-splitter";

/** Longest engine message kept whole (a stats sample is ~2 KiB; a build error can be long). */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Reads an engine's newline-delimited JSON stream (GET /events, GET /containers/{id}/stats,
 * POST /build): each line is parsed and validated with `schema`; a line that is not JSON goes to
 * `onText` (engines put plain text in a build stream now and then), one that fails the schema is
 * skipped. Lines come from line-splitter.ts, as the agent's other streams do.
 */
export function readJsonLines<T>(
  stream: NodeJS.ReadableStream,
  schema: z.ZodType<T>,
  onMessage: (message: T) => void,
  onText?: (text: string) => void,
): { flush(): void } {
  const splitter = new LineSplitter((line) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      onText?.(line);
      return;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) onMessage(parsed.data);
  }, MAX_MESSAGE_BYTES);
  stream.on("data", (chunk: Buffer | string) => splitter.push(chunk));
  return { flush: () => splitter.flush() };
}
