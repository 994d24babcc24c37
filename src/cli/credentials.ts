import { z } from "zod";
import type { CliEnv, ConfigStore } from "./config-store";
import { CliError, EXIT, usageError } from "./errors";

export interface Credentials {
  /** The platform's address without a trailing slash, e.g. https://paas.example.com. */
  url: string;
  token: string;
  /** Where the token came from, so an error can say which one to fix. */
  source: "env" | "config";
}

const httpUrl = z.url({ protocol: /^https?$/, error: "not an http or https URL" });

/**
 * The dashboard's address as the user typed it, reduced to its origin and path prefix: a trailing
 * slash and a pasted `/api/v1` are dropped, so `https://paas.example.com/api/v1/` works too.
 */
export function normalisePlatformUrl(raw: string): string {
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`;
  const parsed = httpUrl.safeParse(candidate);
  if (!parsed.success) throw usageError(`"${raw}" is not a URL: give the dashboard's address, e.g. https://paas.example.com.`);
  const url = new URL(parsed.data);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api(\/v1)?$/, "");
  return `${url.origin}${path}`;
}

/**
 * WH_URL and WH_TOKEN (CI) win over the stored login; one of them alone fills in the other
 * from the stored login, so a pipeline can set only the token.
 */
export function resolveCredentials(env: CliEnv, store: ConfigStore, warn: (line: string) => void): Credentials {
  const envUrl = env.WH_URL?.trim();
  const envToken = env.WH_TOKEN?.trim();
  const stored = envUrl && envToken ? null : store.read(warn);
  const url = envUrl || stored?.url;
  const token = envToken || stored?.token;
  if (!url || !token) {
    const missing = !url && !token ? "No login" : !url ? "No platform URL" : "No token";
    throw new CliError(
      `${missing} found: run wh login <url> (or set WH_URL and WH_TOKEN, e.g. in CI).`,
      EXIT.unauthorized,
      "NOT_LOGGED_IN",
    );
  }
  return { url: normalisePlatformUrl(url), token, source: envToken ? "env" : "config" };
}
