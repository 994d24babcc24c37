import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import type { AppConfig } from "../../src/server/config/config";
import { createServices, type Services } from "../../src/server/runtime/services";
import { appRouter } from "../../src/server/trpc/root";
import { createRequestContext } from "../../src/server/trpc/create-context";

/**
 * Drives the real tRPC HTTP handler the way src/app/api/trpc/[trpc]/route.ts does, with a
 * cookie jar, so tests see what a browser sees (Set-Cookie, CSRF refusal, status codes).
 */
export class TrpcTestClient {
  readonly jar = new Map<string, string>();
  origin: string | null;
  forwardedFor: string | null = "198.51.100.7, 127.0.0.1";
  userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

  constructor(private readonly publicUrl: string) {
    this.origin = new URL(publicUrl).origin;
  }

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private absorb(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(c) || value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async raw(path: string, init: { method: "GET" | "POST"; input?: unknown; headers?: Record<string, string> }): Promise<Response> {
    const url = new URL(`/api/trpc/${path}`, this.publicUrl);
    if (init.method === "GET" && init.input !== undefined) url.searchParams.set("input", JSON.stringify(superjson.serialize(init.input)));
    const headers = new Headers({ "user-agent": this.userAgent, ...(init.headers ?? {}) });
    if (this.jar.size) headers.set("cookie", this.cookieHeader());
    if (this.origin && init.method === "POST") headers.set("origin", this.origin);
    if (this.forwardedFor) headers.set("x-forwarded-for", this.forwardedFor);
    if (!headers.has("host")) headers.set("host", url.host);
    if (init.method === "POST") headers.set("content-type", "application/json");
    const req = new Request(url, { method: init.method, headers, body: init.method === "POST" ? JSON.stringify(superjson.serialize(init.input ?? null)) : undefined });
    const responseHeaders = new Headers();
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createRequestContext(req, responseHeaders) });
    responseHeaders.forEach((value, key) => res.headers.append(key, value));
    this.absorb(res);
    return res;
  }

  private async unwrap<T>(res: Response): Promise<T> {
    const body = (await res.json()) as { result?: { data: unknown }; error?: unknown };
    if (body.error) {
      const err = superjson.deserialize(body.error as never) as { message: string; data: { code: string; httpStatus: number; details?: Record<string, unknown> } };
      throw Object.assign(new Error(err.message), { code: err.data.code, status: err.data.httpStatus, details: err.data.details });
    }
    return superjson.deserialize(body.result!.data as never) as T;
  }

  async query<T = unknown>(path: string, input?: unknown): Promise<T> {
    return this.unwrap<T>(await this.raw(path, { method: "GET", input }));
  }

  async mutate<T = unknown>(path: string, input?: unknown): Promise<T> {
    return this.unwrap<T>(await this.raw(path, { method: "POST", input }));
  }
}

const GLOBAL_KEY = Symbol.for("wisehosting.services");

/** Installs real services for this config as the process-wide ones the handler uses. */
export function installServices(config: AppConfig): Services {
  const services = createServices("test", config);
  (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] = services;
  return services;
}
