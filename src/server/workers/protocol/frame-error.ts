import type { FrameErrorCode } from "./envelope";

/** A frame the hub refuses: answered with an `error` frame carrying this code and message. */
export class FrameError extends Error {
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "FrameError";
  }
}

export const forbiddenFrame = (what: string) =>
  new FrameError("forbidden", `${what} is not assigned to this worker; nothing was applied.`);
