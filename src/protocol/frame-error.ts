import type { FrameErrorCode } from "./error-codes";

/** A frame the receiver refuses: answered with an `error` frame carrying this code and message. */
export class FrameError extends Error {
  constructor(
    readonly code: FrameErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "FrameError";
  }
}

/** Check 7 of docs/worker-protocol.md, "Checks, in order": the frame names something not this worker's. */
export const forbiddenFrame = (what: string) =>
  new FrameError("forbidden", `${what} is not assigned to this worker; nothing was applied.`);
