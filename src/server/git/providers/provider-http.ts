import { DomainError } from "../../errors/domain-errors";
import { readCappedStream } from "../read-capped-stream";

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 5 * 1024 * 1024;

/**
 * JSON over HTTPS to a provider the operator configured. Provider failures become UNAVAILABLE with
 * a message the user can act on; the token never appears in errors or logs.
 */
export async function providerJson<T>(label: string, url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { Accept: "application/json", "User-Agent": "WiseHosting", ...(init.headers ?? {}) },
    });
  } catch (err) {
    throw new DomainError("UNAVAILABLE", `${label} could not be reached (${(err as Error).name}). Try again shortly.`);
  }
  const text = await readCapped(response);
  if (response.status === 401 || response.status === 403) {
    throw new DomainError("PRECONDITION_FAILED", `${label} refused the stored token (HTTP ${response.status}). Disconnect and connect ${label} again.`);
  }
  if (!response.ok) throw new DomainError("UNAVAILABLE", `${label} answered HTTP ${response.status}. Try again shortly.`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new DomainError("UNAVAILABLE", `${label} sent a response that is not JSON.`);
  }
}

async function readCapped(response: Response): Promise<string> {
  const body = await readCappedStream(response.body, MAX_BYTES);
  if (!body) throw new DomainError("UNAVAILABLE", "The git provider sent an oversized response.");
  return body.toString("utf8");
}

export function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}

export function expiresAt(expiresIn: unknown): Date | null {
  return typeof expiresIn === "number" && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000) : null;
}

export function base(url: string): string {
  return url.replace(/\/+$/, "");
}

/** owner/repo (GitLab: group/subgroup/repo) — checked before it is put into an API path. */
export const REPO_FULL_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+){1,5}$/;
