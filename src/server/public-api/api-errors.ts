import { TRPCError } from "@trpc/server";
import { ZodError, type z } from "zod";
import { DomainError } from "../errors/domain-errors";
import { toTrpcError } from "../trpc/error-mapping";

/** The stable error codes of the public API (docs/api.md), with their HTTP status. */
export const API_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: { issues?: ApiIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}

const FROM_TRPC: Partial<Record<TRPCError["code"], ApiErrorCode>> = {
  BAD_REQUEST: "BAD_REQUEST",
  PARSE_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "CONFLICT",
  TOO_MANY_REQUESTS: "RATE_LIMITED",
  SERVICE_UNAVAILABLE: "UNAVAILABLE",
  PAYLOAD_TOO_LARGE: "BAD_REQUEST",
};

export function zodIssues(err: z.ZodError): ApiIssue[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** Any error a route can meet, as the API answers it: domain and tRPC errors keep their meaning, anything else is INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return new ApiError("BAD_REQUEST", "The request is not valid; see issues for each field.", { issues: zodIssues(err) });
  const mapped = err instanceof DomainError ? toTrpcError(err) : err;
  if (mapped instanceof TRPCError) {
    if (mapped.cause instanceof ZodError) return toApiError(mapped.cause);
    const code = FROM_TRPC[mapped.code] ?? "INTERNAL";
    if (code === "INTERNAL") return new ApiError("INTERNAL", "Something went wrong on the server. Try again; if it keeps failing, tell the platform operator.");
    const details = mapped.cause instanceof DomainError ? mapped.cause.details : undefined;
    const retry = typeof details?.retryAfterSeconds === "number" ? details.retryAfterSeconds : undefined;
    return new ApiError(code, mapped.message, retry !== undefined ? { retryAfterSeconds: retry } : {});
  }
  return new ApiError("INTERNAL", "Something went wrong on the server. Try again; if it keeps failing, tell the platform operator.");
}

export function errorResponse(err: ApiError): Response {
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  if (err.extra.retryAfterSeconds !== undefined) headers.set("retry-after", String(err.extra.retryAfterSeconds));
  const body = { error: { code: err.code, message: err.message, ...(err.extra.issues ? { issues: err.extra.issues } : {}) } };
  return new Response(JSON.stringify(body), { status: err.status, headers });
}
