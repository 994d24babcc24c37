/**
 * Typed domain errors. Services throw these; routers and HTTP handlers map them once
 * (src/server/trpc/error-mapping.ts) to tRPC/HTTP codes. Messages are for the user: say what to do.
 */
export type DomainErrorCode =
  | "NOT_FOUND"
  | "VALIDATION"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "RATE_LIMITED"
  | "PRECONDITION_FAILED"
  | "LIMIT_REACHED"
  | "UNAVAILABLE";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found.`);
export const validation = (message: string, details?: Record<string, unknown>) =>
  new DomainError("VALIDATION", message, details);
export const conflict = (message: string) => new DomainError("CONFLICT", message);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const rateLimited = (retryAfterSeconds: number) =>
  new DomainError("RATE_LIMITED", `Too many attempts. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
