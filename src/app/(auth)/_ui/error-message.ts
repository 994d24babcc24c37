import { TRPCClientError } from "@trpc/client";

/** The message to show for a failed tRPC call: the server's own words when it sent any. */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) {
    if (err.data?.code === "TOO_MANY_REQUESTS" || err.data?.code) return err.message;
    return "Could not reach the server. Check your connection and try again.";
  }
  return "Something went wrong. Try again.";
}

/** True when the server asked for a password/TOTP re-check (sudo mode). */
export function needsReauth(err: unknown): boolean {
  return err instanceof TRPCClientError && Boolean((err.data as { details?: { reauthRequired?: boolean } } | undefined)?.details?.reauthRequired);
}

export function restartSignIn(err: unknown): boolean {
  return err instanceof TRPCClientError && Boolean((err.data as { details?: { restartSignIn?: boolean } } | undefined)?.details?.restartSignIn);
}
