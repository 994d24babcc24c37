import { z } from "zod";
import { cleanLogLine, LineSplitter } from "../line-splitter";
import { readJsonLines } from "./json-lines";

/**
 * One JSON message of POST /build (and POST /images/create): Docker and Podman both send
 * `stream` text, `error`/`errorDetail` on failure and `aux.ID` with the image id; Docker adds
 * `status`/`progress` while it pulls a base image.
 */
const buildMessageSchema = z.object({
  stream: z.string().optional(),
  status: z.string().optional(),
  progress: z.string().optional(),
  id: z.string().optional(),
  error: z.string().optional(),
  errorDetail: z.object({ message: z.string().optional() }).nullish(),
  aux: z.object({ ID: z.string().optional() }).passthrough().nullish(),
});
type BuildMessage = z.infer<typeof buildMessageSchema>;

/** "STEP 2/5: RUN …" (Podman, buildah) or "Step 2/5 : RUN …" (Docker's classic builder). */
const STEP_LINE = /^step (\d+)\/(\d+)\s?:/i;
const TAIL_LINES = 60;

export interface BuildOutputEvents {
  /** One line of build output, cleaned (no ANSI, capped at 8 KiB). */
  onLine?: (line: string) => void;
  /** Steps done out of all steps, each time a new step begins. */
  onStep?: (step: number, total: number) => void;
}

/** Turns the engine's JSON message stream into build log lines, the image id and the error. */
export class BuildOutput {
  private readonly lines: LineSplitter;
  private readonly tailLines: string[] = [];
  /** The image id from `aux.ID`, or the short id of "Successfully built …". */
  imageId: string | null = null;
  error: string | null = null;

  constructor(private readonly events: BuildOutputEvents = {}) {
    this.lines = new LineSplitter((raw) => this.line(raw));
  }

  /** The last lines of output, for a failed deployment's message. */
  tail(): string[] {
    return [...this.tailLines];
  }

  /** A line of the stream that is not JSON: build output as it is. */
  text(line: string): void {
    this.lines.push(`${line}\n`);
  }

  end(): void {
    this.lines.flush();
  }

  message(m: BuildMessage): void {
    if (m.aux?.ID) this.imageId = m.aux.ID;
    if (m.stream) this.lines.push(m.stream);
    if (m.status && !m.progress) this.lines.push(`${m.id ? `${m.id}: ` : ""}${m.status}\n`);
    const error = m.errorDetail?.message || m.error;
    if (error) {
      this.lines.flush();
      this.error = error.trim();
      for (const line of error.trim().split("\n")) this.line(line);
    }
  }

  private line(raw: string): void {
    const line = cleanLogLine(raw);
    const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line.trim());
    if (built && !this.imageId) this.imageId = built[1]!;
    const step = STEP_LINE.exec(line.trim());
    if (step) this.events.onStep?.(Number(step[1]) - 1, Number(step[2]));
    this.tailLines.push(line);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
    this.events.onLine?.(line);
  }
}

/** Feeds an engine response stream into a BuildOutput until it ends (or fails). */
export function readBuildStream(stream: NodeJS.ReadableStream, output: BuildOutput): Promise<void> {
  return new Promise((resolve, reject) => {
    const reader = readJsonLines(stream, buildMessageSchema, (m) => output.message(m), (t) => output.text(t));
    const finish = () => {
      reader.flush();
      output.end();
    };
    stream.once("end", () => {
      finish();
      resolve();
    });
    stream.once("close", () => {
      finish();
      resolve();
    });
    stream.once("error", (err: Error) => {
      finish();
      reject(err);
    });
  });
}
