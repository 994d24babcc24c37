import type { TokenScope } from "../../../src/server/api-tokens/scopes";
import { handleApiRequest, type ApiHandlerOptions } from "../../../src/server/public-api/handle-api-request";
import type { AppHarness, TestUser } from "../../apps/helpers/app-harness";

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T & { error?: { code: string; message: string; issues?: { path: string; message: string }[] } };
}

/** Calls /api/v1 through the real handler (src/server/public-api/handle-api-request.ts), as the Next route does. */
export async function api<T = Record<string, unknown>>(
  h: AppHarness,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  options: Partial<ApiHandlerOptions> = {},
): Promise<ApiAnswer<T>> {
  // The web server appends the connecting peer to X-Forwarded-For (src/server/http/forwarded-for.ts).
  const headers = new Headers({ "user-agent": "api-test", "x-forwarded-for": "127.0.0.1" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (body !== undefined) headers.set("content-type", "application/json");
  const res = await handleApiRequest(new Request(`http://127.0.0.1:3999/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), {
    services: h.services,
    ...options,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as ApiAnswer<T>["body"] };
}

/** A token for `user` in `teamId`, created through the dashboard's procedure in sudo mode (as Settings → API tokens does). */
export async function mintToken(user: TestUser, teamId: number, scopes: TokenScope[], expiresInDays: number | null = null, name = `t-${scopes.join("+")}`) {
  user.ctx.session!.reauthAt = new Date();
  const created = await user.caller.apiTokens.create({ name, teamId, scopes, expiresInDays });
  return created.token;
}
