import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { DomainError, type DomainErrorCode } from "../errors/domain-errors";
import { InvalidAppNameError } from "../apps/naming";

const CODE_MAP: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  VALIDATION: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  LIMIT_REACHED: "FORBIDDEN",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

/** Maps domain errors to tRPC errors once, for every procedure. Unknown errors stay 500. */
export function toTrpcError(err: unknown): unknown {
  if (err instanceof DomainError) {
    return new TRPCError({ code: CODE_MAP[err.code], message: err.message, cause: err });
  }
  if (err instanceof InvalidAppNameError) {
    return new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
  }
  return err;
}
