import type { z } from "zod";
import { errorBodySchema } from "./api-types";
import type { Credentials } from "./credentials";
import { CliError, EXIT } from "./errors";
import { plural } from "../lib/plural";

export interface RequestOptions<S extends z.ZodType> {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  /** Checks the success body (src/cli/api-types.ts). */
  schema: S;
  /** The token scope the call needs, named in the error when the server refuses (docs/api.md). */
  scope?: string;
  /** What to tell the user on a 404, e.g. that the app does not exist and how to list apps. */
  notFound?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RATE_LIMIT_WAIT_S = 30;

/**
 * The CLI's HTTP client for /api/v1 (docs/api.md): bearer token, JSON both ways, and every
 * failure turned into a CliError that says what to do — wrong URL, not a WiseHosting server,
 * refused token, missing scope, unknown app.
 */
export class ApiClient {
  constructor(
    readonly credentials: Credentials,
    private readonly userAgent: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async request<S extends z.ZodType>(path: string, options: RequestOptions<S>): Promise<z.infer<S>> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.send(path, {
        method: options.method ?? "GET",
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        headers: options.body === undefined ? {} : { "content-type": "application/json" },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // A 429 means nothing was done, so waiting as told and sending again is safe for any method.
      const retryAfter = Number(res.headers.get("retry-after"));
      if (res.status === 429 && attempt < 3 && retryAfter >= 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S) {
        await res.body?.cancel();
        await this.sleep(Math.max(retryAfter, 1) * 1000);
        continue;
      }
      const body = await this.json(path, res);
      if (!res.ok) throw this.refusal(path, res, body, options);
      const parsed = options.schema.safeParse(body);
      if (!parsed.success) throw this.notOurs(path, res, "an answer of an unexpected shape");
      return parsed.data;
    }
  }

  /** Opens a server-sent event stream (`?follow=1` routes); the caller reads `body`. */
  async openStream(path: string, options: Pick<RequestOptions<z.ZodType>, "scope" | "notFound"> & { lastEventId?: string; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (options.lastEventId) headers["last-event-id"] = options.lastEventId;
    const res = await this.send(path, { headers, signal: options.signal });
    if (!res.ok) throw this.refusal(path, res, await this.json(path, res), options);
    if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream") || !res.body) {
      await res.body?.cancel();
      throw this.notOurs(path, res, "no event stream");
    }
    return res;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const { url, token } = this.credentials;
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    headers.set("user-agent", this.userAgent);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    try {
      return await fetch(`${url}/api/v1${path}`, { ...init, headers, redirect: "manual" });
    } catch (err) {
      throw this.unreachable(err);
    }
  }

  private async json(path: string, res: Response): Promise<unknown> {
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("application/json")) {
      await res.body?.cancel();
      throw this.notOurs(path, res, type ? `${type.split(";")[0]}` : "a body without a content type");
    }
    try {
      return await res.json();
    } catch {
      throw this.notOurs(path, res, "broken JSON");
    }
  }

  private refusal(path: string, res: Response, body: unknown, options: Pick<RequestOptions<z.ZodType>, "scope" | "notFound">): CliError {
    const parsed = errorBodySchema.safeParse(body);
    if (!parsed.success) return this.notOurs(path, res, "an error without the API's error body");
    const { code, issues } = parsed.data.error;
    const message = issues?.length ? `${parsed.data.error.message} ${issues.map((i) => `${i.path || "body"}: ${i.message}`).join("; ")}` : parsed.data.error.message;
    const tokenFix = this.credentials.source === "env" ? "set WH_TOKEN to a valid token" : "run wh login again with a new token";
    switch (res.status) {
      case 401:
        return new CliError(`The token was refused: ${message.replace(/\.?$/, ".")} Then ${tokenFix}.`, EXIT.unauthorized, code);
      case 403: {
        // The server names the missing scope (src/server/api-tokens/authorize-token.ts); a role or
        // plan refusal says what to do on its own. The CLI adds where a new token comes from.
        const scopeHint = /\bscope\b/i.test(message)
          ? ` Create one in the dashboard under Settings → API tokens, then ${tokenFix}.`
          : !/\b(plan|role)\b/i.test(message) && options.scope
            ? ` This command needs a token with the ${options.scope} scope and a role that allows it.`
            : "";
        return new CliError(`${message.replace(/\.?$/, ".")}${scopeHint}`, EXIT.forbidden, code);
      }
      case 404:
        return new CliError(options.notFound ?? message, EXIT.notFound, code);
      case 429: {
        const wait = Number(res.headers.get("retry-after") ?? "");
        const when = Number.isInteger(wait) && wait >= 0 ? `in ${plural(wait, "second")}` : "in a few seconds";
        return new CliError(`${message.replace(/\.?$/, ".")} Try again ${when}.`, EXIT.failed, code, Number.isInteger(wait) && wait >= 0 ? wait : undefined);
      }
      default:
        return new CliError(message, res.status === 400 ? EXIT.usage : EXIT.failed, code);
    }
  }

  private notOurs(path: string, res: Response, what: string): CliError {
    const { url } = this.credentials;
    return new CliError(
      `${url} does not look like a WiseHosting server: /api/v1${path.split("?")[0]} answered ${res.status} with ${what}. Check the URL: it is the dashboard's address, the one you sign in at (e.g. https://paas.example.com).`,
      EXIT.unreachable,
      "NOT_WISEHOSTING",
    );
  }

  private unreachable(err: unknown): CliError {
    const { url } = this.credentials;
    if ((err as Error).name === "TimeoutError") {
      return new CliError(`${url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s. Check the URL and that the platform is up.`, EXIT.unreachable, "TIMEOUT");
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? "";
    const why: Record<string, string> = {
      ECONNREFUSED: "the connection was refused (nothing listens there)",
      ENOTFOUND: "the host name does not resolve",
      EAI_AGAIN: "the host name could not be resolved right now",
      ECONNRESET: "the connection was reset",
      EHOSTUNREACH: "the host is unreachable",
      ETIMEDOUT: "the connection timed out",
    };
    const reason = why[code] ?? (code.includes("CERT") || code.includes("SSL") ? `its TLS certificate was refused (${code})` : (cause?.message ?? (err as Error).message));
    return new CliError(`Cannot reach ${url}: ${reason}. Check the URL (the dashboard's address, e.g. https://paas.example.com) and that the platform is up.`, EXIT.unreachable, "UNREACHABLE");
  }
}
