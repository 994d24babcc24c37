/**
 * Exit codes of `wh` (the table in docs/cli.md). Scripts branch on them, so they never change
 * meaning: a new kind of failure gets a new number.
 */
export const EXIT = {
  ok: 0,
  /** The API refused the request for another reason, or a deployment failed. */
  failed: 1,
  /** Bad arguments or a bad .env file: nothing was sent. */
  usage: 2,
  /** Not logged in, or the token is wrong, expired or revoked. */
  unauthorized: 3,
  /** The token lacks a scope, or its owner's role does not allow the action. */
  forbidden: 4,
  /** The app or deployment does not exist in the token's team. */
  notFound: 5,
  /** The URL does not answer, or what answers is not a WiseHosting server. */
  unreachable: 6,
  /** The deployment was cancelled. */
  cancelled: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can act on: `message` says what happened and what to do next. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The API's stable error code when the server gave one (docs/api.md), else a CLI code. */
    readonly code: string,
    /** A 429's Retry-After: when the same request may be sent again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage, "USAGE");
