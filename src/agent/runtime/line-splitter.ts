import { MAX_LOG_LINE_BYTES } from "../../protocol/worker-messages";

/** Longest line kept: the hub caps runtime log lines there (docs/worker-protocol.md, "Worker → hub"). */
export const MAX_LINE_BYTES = MAX_LOG_LINE_BYTES;

/** Turns a byte stream into lines; a line longer than the cap is cut rather than buffered forever. */
export class LineSplitter {
  private rest = "";

  constructor(
    private readonly onLine: (line: string) => void,
    /** Cut lines longer than this; messages that must stay whole (JSON lines) pass a larger cap. */
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    const parts = text.split(/\r?\n/);
    this.rest = parts.pop() ?? "";
    for (const part of parts) this.onLine(part);
    while (this.rest.length > this.maxBytes) {
      this.onLine(this.rest.slice(0, this.maxBytes));
      this.rest = this.rest.slice(this.maxBytes);
    }
  }

  flush(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = "";
  }
}

/** Strips ANSI escape sequences and NUL bytes, and caps the line at 8 KiB. */
export function cleanLogLine(line: string): string {
  const cleaned = line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u0000/g, "");
  if (Buffer.byteLength(cleaned, "utf8") <= MAX_LINE_BYTES) return cleaned;
  return Buffer.from(cleaned, "utf8").subarray(0, MAX_LINE_BYTES).toString("utf8").replace(/\uFFFD$/, "");
}
