import type { CliError } from "./errors";

export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Where a command's results go. With --json, stdout carries only JSON (one document, or one
 * object a line for streams) and everything meant for people goes to stderr, so
 * `wh … --json | jq` always works.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Sink = process.stdout,
    private readonly stderr: Sink = process.stderr,
  ) {}

  /** The command's result: `data` as JSON with --json, else the human text. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else this.print(human());
  }

  /** One item of a stream (a log line): a JSON object a line with --json, else the human text. */
  item(data: unknown, human: () => string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
  }

  /** Progress and notices for people: stderr, so they never mix with results. */
  info(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  error(err: CliError): void {
    if (this.json) this.stderr.write(`${JSON.stringify({ error: { code: err.code, message: err.message, exitCode: err.exitCode } })}\n`);
    else this.stderr.write(`Error: ${err.message}\n`);
  }

  private print(text: string | string[]): void {
    const lines = Array.isArray(text) ? text : [text];
    if (lines.length) this.stdout.write(`${lines.join("\n")}\n`);
  }
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined || c === "" ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** "3 minutes ago" style, for times shown to people; null-ish becomes "-". */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "-";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const s = Math.round((now - at) / 1000);
  if (s < 0) return new Date(at).toISOString();
  const units: [number, string][] = [[86_400, "day"], [3_600, "hour"], [60, "minute"]];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"} ago`;
  }
  return "just now";
}

/** A log line as people read it: its time when it has one, a tag for stderr, the text. */
export function formatLogLine(line: { at?: string | null; stream?: string | null; line: string }): string {
  const time = line.at && !Number.isNaN(Date.parse(line.at)) ? new Date(line.at).toISOString().slice(11, 19) : "";
  const stream = line.stream === "stderr" ? "[stderr] " : "";
  return `${time ? `${time} ` : ""}${stream}${line.line}`;
}

export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "");
