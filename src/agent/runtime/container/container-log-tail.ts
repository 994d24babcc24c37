import { cleanLogLine } from "../line-splitter";
import type { Engine } from "./engine";
import { engineCall } from "./engine-request";

/**
 * The last `lines` lines a container wrote (stdout and stderr, in order), without following: the
 * log tail of a deploy whose health check failed or of a crash. Splits the Engine API's
 * multiplexed frames as container-logs.ts does; empty when the container is gone.
 */
export async function containerLogTail(engine: Engine, id: string, lines = 60): Promise<string[]> {
  let raw: unknown;
  try {
    raw = await engineCall(engine.docker, {
      path: `/containers/${encodeURIComponent(id)}/logs?`,
      method: "GET",
      options: { follow: false, stdout: true, stderr: true, tail: lines },
      statusCodes: { 200: true, 404: "no such container" },
      timeoutMs: 30_000,
    });
  } catch {
    return [];
  }
  const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(typeof raw === "string" ? raw : "");
  const text: string[] = [];
  let offset = 0;
  // A multiplexed stream starts with a stream byte of 0–2 and three zero bytes; anything else is raw text.
  const framed = buffer.length >= 8 && buffer[0]! <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!framed) text.push(buffer.toString("utf8"));
  while (framed && offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    text.push(buffer.subarray(offset + 8, offset + 8 + size).toString("utf8"));
    offset += 8 + size;
  }
  return text
    .join("")
    .split("\n")
    .filter((l, i, all) => l !== "" || i < all.length - 1)
    .map(cleanLogLine)
    .slice(-lines);
}
