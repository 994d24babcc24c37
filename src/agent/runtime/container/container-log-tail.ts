import { cleanLogLine } from "../line-splitter";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";

type Chunk = { stream: "stdout" | "stderr"; text: string };

/**
 * What a container wrote (stdout and stderr, in order, as chunks), without following; the last
 * `tail` lines only when given. Splits the Engine API's multiplexed frames as container-logs.ts
 * does; empty when the container is gone.
 */
async function readContainerOutput(engine: Engine, id: string, tail?: number): Promise<Chunk[]> {
  let raw: unknown;
  try {
    raw = await engineCall(engine.docker, {
      path: `/containers/${encodeURIComponent(id)}/logs?`,
      method: "GET",
      options: { follow: false, stdout: true, stderr: true, ...(tail !== undefined ? { tail } : {}) },
      statusCodes: { 200: true, 404: "no such container" },
      timeoutMs: 30_000,
    });
  } catch {
    return [];
  }
  const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(typeof raw === "string" ? raw : "");
  // A multiplexed stream starts with a stream byte of 0–2 and three zero bytes; anything else is raw text.
  const framed = buffer.length >= 8 && buffer[0]! <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!framed) return [{ stream: "stdout", text: buffer.toString("utf8") }];
  const chunks: Chunk[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push({ stream: buffer[offset] === 2 ? "stderr" : "stdout", text: buffer.subarray(offset + 8, offset + 8 + size).toString("utf8") });
    offset += 8 + size;
  }
  return chunks;
}

function toLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l, i, all) => l !== "" || i < all.length - 1)
    .map(cleanLogLine);
}

/** The last `lines` lines a container wrote: the log tail of a deploy whose health check failed or of a crash. */
export async function containerLogTail(engine: Engine, id: string, lines = 60): Promise<string[]> {
  const chunks = await readContainerOutput(engine, id, lines);
  return toLines(chunks.map((c) => c.text).join("")).slice(-lines);
}

/**
 * Everything a container wrote since it was created, each stream on its own: the first error
 * lines of an app that exited at start (container-start-diagnosis.ts). Only read for a container
 * that ended within its start timeout, so the output is small.
 */
export async function containerOutputByStream(engine: Engine, id: string): Promise<{ stdout: string[]; stderr: string[] }> {
  const chunks = await readContainerOutput(engine, id);
  const of = (stream: Chunk["stream"]) => toLines(chunks.filter((c) => c.stream === stream).map((c) => c.text).join(""));
  return { stdout: of("stdout"), stderr: of("stderr") };
}
