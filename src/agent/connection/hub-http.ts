import { z } from "zod";

const tokenResponseSchema = z.object({
  token: z.string().min(10),
  token_expires_at: z.union([z.string(), z.number()]).optional(),
});
const registerResponseSchema = tokenResponseSchema.extend({
  worker: z.object({ id: z.union([z.number(), z.string()]) }).passthrough(),
});
const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface IssuedToken {
  token: string;
  /** Unix ms. */
  expiresAt: number;
}

export interface RegisterRequest {
  name: string;
  ip: string;
  api_key: string;
  zone: string;
  region_name: string;
  cap_cpu: number;
  cap_mem: number;
  wireguard_ip?: string;
}

export class HubHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HubHttpError";
  }
}

/** The hub's worker HTTP API (docs/worker-protocol.md, "1. HTTP endpoints"). */
export class HubHttpClient {
  constructor(
    private readonly hubUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async register(registrationToken: string, body: RegisterRequest): Promise<IssuedToken & { workerId: number | string }> {
    const json = await this.post("/v1/workers/register", registrationToken, body);
    const parsed = registerResponseSchema.safeParse(json);
    if (!parsed.success) throw new HubHttpError(502, "bad_response", "the hub's register answer is not {worker, token, token_expires_at}");
    return { workerId: parsed.data.worker.id, ...toIssued(parsed.data) };
  }

  async refresh(apiKey: string): Promise<IssuedToken> {
    const json = await this.post("/v1/workers/refresh-token", apiKey, {});
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) throw new HubHttpError(502, "bad_response", "the hub's refresh answer is not {token, token_expires_at}");
    return toIssued(parsed.data);
  }

  private async post(route: string, bearer: string, body: unknown): Promise<unknown> {
    const res = await fetch(new URL(route, this.hubUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: "error",
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // Non-JSON answers (a proxy's error page) are reported by status below.
    }
    if (!res.ok) {
      const err = errorBodySchema.safeParse(json);
      throw new HubHttpError(
        res.status,
        err.success ? err.data.error.code : "http_error",
        err.success ? err.data.error.message : `${route} answered HTTP ${res.status}`,
      );
    }
    return json;
  }
}

function toIssued(data: z.infer<typeof tokenResponseSchema>): IssuedToken {
  return { token: data.token, expiresAt: expiryOf(data.token, data.token_expires_at) };
}

/** Prefers the JWT's own `exp`; the response field is a fallback (its unit is not pinned down). */
export function expiryOf(token: string, field: string | number | undefined): number {
  const claims = token.split(".")[1];
  if (claims) {
    try {
      const exp = JSON.parse(Buffer.from(claims, "base64url").toString("utf8")).exp;
      if (typeof exp === "number" && exp > 0) return exp * 1000;
    } catch {
      // Fall through to the response field.
    }
  }
  if (typeof field === "number") return field < 1e12 ? field * 1000 : field;
  if (typeof field === "string") {
    const ms = Date.parse(field);
    if (!Number.isNaN(ms)) return ms;
  }
  return Date.now() + 10 * 60_000;
}
